"""The check-in page: a school or department fills in and submits its check-in."""
