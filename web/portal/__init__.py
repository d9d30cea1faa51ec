"""The provider portal (/portal): providers answer their duties themselves, reached from the
personal link in each e-mail that asks them to act. Pages in web/templates/portal/."""
