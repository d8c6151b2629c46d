"""Recommendations: the signals members give (marks, follows, imported libraries) and, beside
them, the model and ranking built on those signals."""
