"""What every layer shares (Dutch user errors, Settings, sentences); imports no other package."""
