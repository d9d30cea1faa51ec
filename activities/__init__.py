"""Side effects (mail, records, plan files), as activities bound to their dependencies.

Empty on purpose: workflows import the activity modules they call, and any importer of one
activity module runs this file first. The worker's full set is built in activities/registry.py,
so that importing (say) activities.opening does not load the records layer, SMTP and templates.
"""
