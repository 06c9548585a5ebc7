"""Helpers every app uses, once: page rendering and confirmations, forms, ordered lists,
history, text, the safe CSV writer and reader, the school-year calendar and input parsing.

`core` holds no models and imports no Throughline app: it is below `districts/`.
"""
