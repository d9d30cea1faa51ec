"""`lov web`: the desk in the browser (issue 17), server-rendered over the application layer."""
