"""The desk's pages, one router per concept."""
