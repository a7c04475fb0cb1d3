"""Fuzzing ``StreamingSynapse`` protocols: strategies, properties, the response double,
hypothesis profiles, loading targets, replay snippets and pytest items."""
