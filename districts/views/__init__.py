"""District pages: the picker, the district home, and district setup (settings, schools, departments,
people, invitations), one module per kind of page."""
