"""The operator's inbox: its accounts (the web inbox itself will stand on them)."""
