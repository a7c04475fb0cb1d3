"""A subnet whose validator gets its work from its platform's API: miners answer briefs."""

spec_version = 1
