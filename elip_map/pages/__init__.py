"""One module per URL; Dash runs these files itself (``use_pages``), so nothing else imports them."""
