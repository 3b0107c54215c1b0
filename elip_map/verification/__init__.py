"""The yearly verification cycle: a campaign mails each organization's contact a personal, signed,
expiring link to its listings; the reply (still correct, or proposed changes) enters the review flow."""
