"""The immigration system as data: jurisdictions, categories, regimes and parameters."""
