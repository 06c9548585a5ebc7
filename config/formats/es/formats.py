"""How dates and numbers read in Spanish for a US district: CLDR's es-US conventions, which is
what families and staff here read every day (decimal point and comma grouping as in English,
"2 de diciembre de 2026", 12-hour times), not Spain's (decimal comma).

Abbreviated months use "b" (Django's lowercase "dic"), not "M": "M" title-cases the catalogue's
abbreviation ("Dic"), and Spanish writes month names in lowercase."""

DATE_FORMAT = r"j \d\e F \d\e Y"  # 2 de diciembre de 2026
SHORT_DATE_FORMAT = "j b Y"  # 2 dic 2026
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i a"  # 2 de diciembre de 2026, 4:43 p.m.
SHORT_DATETIME_FORMAT = "j b Y, g:i a"  # 2 dic 2026, 4:43 p.m.
TIME_FORMAT = "g:i a"  # 4:43 p.m.
YEAR_MONTH_FORMAT = r"F \d\e Y"  # diciembre de 2026
MONTH_DAY_FORMAT = r"j \d\e F"  # 2 de diciembre
SHORT_YEAR_MONTH_FORMAT = "b Y"  # dic 2026
SHORT_MONTH_FORMAT = "b"  # dic

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# CLDR es: a no-break space before the sign, so "61.3 %" never breaks between number and sign.
PERCENT_FORMAT = "{number}\u00a0%"  # 61.3 %
