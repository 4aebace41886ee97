"""What members write: names, companies, relationship and ask wordings, notes.

Only words live here; how likely each is, and how each file style spells
dates, yes/no and event types, are in `behaviour` and `cells`.
"""

from __future__ import annotations

MEMBER_NAMES: tuple[str, ...] = (
    "alice", "bob", "carmen", "deepak", "erin", "farah", "gustavo", "hana", "ines",
    "jonas", "kwame", "lena", "mateo", "nadia", "oskar", "priya", "quentin", "rosa",
    "samir", "tomas", "uma", "viktor", "wen", "xavier", "yara", "zoe",
)  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "James", "Maria", "Wei", "Fatima", "John", "Aisha", "Carlos", "Emma", "Raj", "Sofia",
    "Liam", "Olivia", "Noah", "Ava", "Mohammed", "Yuki", "Lucas", "Chloe", "Mateus", "Ingrid",
    "David", "Grace", "Ahmed", "Hannah", "Diego", "Mei", "Samuel", "Zara", "Daniel", "Leila",
    "Peter", "Nora", "Ivan", "Amara", "Tom", "Julia", "Kenji", "Elena", "Omar", "Sarah",
    "Ben", "Anika", "Luis", "Clara", "Jakub", "Rachel", "Femi", "Laura", "Arjun", "Helen",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Garcia", "Chen", "Khan", "Johnson", "Okafor", "Rossi", "Muller", "Patel",
    "Silva", "Brown", "Nguyen", "Kowalski", "Tanaka", "Hernandez", "Williams", "Ali", "Larsen",
    "Dubois", "Kim", "Murphy", "Costa", "Schmidt", "Haddad", "Novak", "Jones", "Mensah",
    "Lopez", "Ivanova", "Wright", "Fischer", "Sato", "Adeyemi", "Moreau", "Taylor", "Reyes",
    "Singh", "Eriksson", "Walsh", "Bianchi", "Cohen", "Park", "Owusu", "Martin", "Yilmaz",
    "Clarke", "Ramos", "Berg", "Dimitrov", "Evans",
)  # fmt: skip

COMPANIES: tuple[str, ...] = (
    "Northwind", "Globex", "Initech", "Umbrella Health", "Acme Analytics", "Hooli",
    "Stark Logistics", "Wayne Fintech", "Blue Harbor Bank", "Cobalt Labs",
)  # fmt: skip

RELATIONSHIPS: tuple[str, ...] = (
    "colleague", "friend", "classmate", "family", "recruiter", "acquaintance", "unknown", "other",
)  # fmt: skip


# What members write in the relationship column, per canonical relationship.
RELATIONSHIP_TEXTS: tuple[tuple[str, ...], ...] = (
    ("colleague", "Former colleague", "coworker", "co-worker", "ex-colleague", "Work"),
    ("friend", "Friend", "FRIEND"),
    ("classmate", "college buddy", "Alumni", "school", "College"),
    ("family", "Family"),
    ("recruiter", "Recruiter"),
    ("acquaintance", "Acquaintance"),
    ("",),
    ("mentor", "neighbour", "gym buddy"),  # not in the vocabulary: loads as `other`
)


# Ask combinations members make, with how they tend to write them.
ASK_SETS: tuple[tuple[str, ...], ...] = (
    ("job",),
    ("reference",),
    ("introduction",),
    ("advice",),
    ("reference", "introduction"),
    ("job", "reference"),
    ("job", "introduction"),
)
ASK_TEXTS: tuple[tuple[str, ...], ...] = (
    ("job", "Job", "job lead", "jobs", "opening", "leads"),
    ("reference", "Reference", "ref", "be a reference"),
    ("intro", "introduction", "Intro"),
    ("advice", "Informational", "info interview", "informational interview"),
    ("reference + intro", "Reference & intro", "ref, intro", "reference and introduction"),
    ("job/reference", "Job + ref"),
    ("job + intro", "jobs & introductions"),
)

# Call notes by (topic, how it went), so a note never contradicts the row.
CALL_NOTES: dict[tuple[str, bool | None], tuple[str, ...]] = {
    ("job", True): (
        "Sent me a posting at {company}",
        "Their team is hiring, will pass my CV on",
        "Two openings at {company}, sending links",
    ),
    ("job", False): (
        "No openings right now",
        "Will check with HR",
        "Hiring freeze at {company}",
    ),
    ("reference", True): (
        "Happy to be a reference",
        "Said to list them as a reference",
        "Will vouch for me, keep them posted",
    ),
    ("reference", False): (
        "Not comfortable vouching yet",
        "Doesn't know my recent work well enough",
    ),
    ("reference", None): ("Asked if they'd vouch for me",),
    ("introduction", True): (
        "Will introduce me to someone at {company}",
        "Offered to connect me with their old manager",
    ),
    ("introduction", False): ("Didn't know anyone hiring",),
    ("advice", None): (
        "Good advice on my CV",
        "Talked about the industry",
        "Suggested I look at {company}",
    ),
    ("any", None): (
        "Coffee chat",
        "Quick call",
        "Great chat, very warm",
        "Busy quarter, try again later",
    ),
}

EVENT_NOTES: dict[str, tuple[str, ...]] = {
    "lead": ("Sent me an opening at {company}", "Heard {company} is hiring", "Forwarded a role"),
    "introduction": ("Introduced me to {person} at {company}", "Connected me with their manager"),
    "reached_out": ("Checked in to see how it's going", "Called with a tip", "Keeping an eye out"),
    "reference_given": ("{company} called them for a reference", "Gave me a reference"),
    "interview": ("First round at {company}", "Phone screen with {company}"),
    "offer": ("Offer from {company}!",),
}

MULTILINE_NOTE = "Follow up next week, send portfolio\nAlso asked about salary bands"
NOTES_SHEET_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Week 1", "Too many cold job asks", "Ask former colleagues to vouch for me"),
    ("Week 2", "Intros worked better than I expected", "Thank people within a day"),
    ("Week 3", "Recruiters reply fast, but little follows", "Keep a follow-up list"),
)


def member_name(index: int) -> str:
    """Folder name of member ``index``: a first name, suffixed once the list runs out."""
    base = MEMBER_NAMES[index % len(MEMBER_NAMES)]
    rounds = index // len(MEMBER_NAMES)
    return base if rounds == 0 else f"{base}-{rounds + 1}"
