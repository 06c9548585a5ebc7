"""Issue 8's gates: translation completeness, the all-pages accessibility and width walk, Spanish rendering.

Each gate has an allow-list of what fails today, in its own module, that may only shrink.
Run them alone with `make gates`.
"""
