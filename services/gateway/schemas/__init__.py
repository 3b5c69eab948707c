"""HTTP bodies of the API (pydantic), one module per module of routes/; base holds what they all share."""
