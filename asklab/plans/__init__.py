"""Randomised ask plans (CONTRACT.md section 7): read a contact list, assign each
contact an ask by the seeded rule, write the plan file, and compare the arms
once the calls are in."""
