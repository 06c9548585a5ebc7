"""Priority, commitment, assignment, role card and initiative load pages, one module per kind of page."""
