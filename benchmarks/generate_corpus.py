"""Generate a corpus of realistic, varied client rule files for the compile and reload benchmarks.

Each client differs in what a real answering service's clients differ in: time zone and
public-holiday region, office hours, lunch and night windows, closures, 3-8 contacts, 1-2
on-call teams with layered rotations and overrides, 1-2 escalation policies, 1-2 intake
scripts, greetings in 1-3 languages, VIP lists, urgency and route sections. Every client
has its own phone numbers. The same seed gives the same corpus.

    .venv/bin/python benchmarks/generate_corpus.py OUT_DIR [--count 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# (time zone, public-holiday region, area code used for the client's own numbers)
PLACES = (
    ("America/Chicago", "US-IL", "312"),
    ("America/New_York", "US-NY", "212"),
    ("America/Los_Angeles", "US-CA", "415"),
    ("America/Denver", "US-CO", "303"),
    ("America/Phoenix", "US-AZ", "602"),
    ("America/Toronto", "CA-ON", "416"),
    ("Europe/London", "GB-ENG", "442"),
    ("Europe/Berlin", "DE-BE", "493"),
    ("Europe/Paris", "FR", "331"),
    ("Europe/Madrid", "ES", "349"),
    ("Australia/Sydney", "AU-NSW", "612"),
    ("Pacific/Auckland", "NZ", "649"),
)
TRADES = (
    ("plumbing", "Plumbing", ("burst_pipe", "no_heat", "gas_smell", "estimate", "billing", "other")),
    ("dental", "Dental", ("toothache", "broken_tooth", "appointment", "billing", "other")),
    ("vet", "Veterinary Clinic", ("injury", "poisoning", "appointment", "prescription", "other")),
    ("law", "Law Office", ("arrest", "court_date", "new_case", "billing", "other")),
    ("hvac", "Heating & Cooling", ("no_heat", "no_cooling", "gas_smell", "maintenance", "other")),
    ("property", "Property Management", ("flood", "lockout", "noise", "rent", "other")),
)
FIRST = ("alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi", "ivan", "judy", "ken", "lena")
GREETINGS = {
    "en": (
        "Thank you for calling {name}, this is {{agent}}. How may I help you?",
        "{name} is closed right now; I can take a message or reach the person on call.",
        "{name}, this is {{agent}}. The team is with another customer; how can I help?",
    ),
    "es": (
        "Gracias por llamar a {name}, le atiende {{agent}}. ¿En qué puedo ayudarle?",
        "{name} está cerrado; puedo tomar un mensaje o avisar a la persona de guardia.",
        "{name}, le atiende {{agent}}. El equipo está ocupado; ¿en qué puedo ayudarle?",
    ),
    "fr": (
        "Merci d'avoir appelé {name}, ici {{agent}}. Que puis-je faire pour vous ?",
        "{name} est fermé ; je peux prendre un message ou joindre la personne d'astreinte.",
        "{name}, ici {{agent}}. L'équipe est occupée ; comment puis-je vous aider ?",
    ),
}
PROMPTS = {
    "name": {"en": "May I have your name?", "es": "¿Cuál es su nombre?", "fr": "Quel est votre nom ?"},
    "callback": {
        "en": "What is the best number to reach you?",
        "es": "¿A qué número le llamamos?",
        "fr": "À quel numéro vous rappeler ?",
    },
    "type": {"en": "What is the problem?", "es": "¿Cuál es el problema?", "fr": "Quel est le problème ?"},
}


def text_block(texts: dict[str, str], languages: list[str]) -> str:
    return "{ " + "  ".join(f'{lang} "{texts[lang]}"' for lang in languages) + " }"


def client_text(index: int, rng: random.Random) -> str:
    """The rule file of client number `index`; its numbers are unique to it."""
    zone, region, area = rng.choice(PLACES)
    trade, trade_title, kinds = rng.choice(TRADES)
    client_id = f"{trade}_{index:05d}"
    title = f"{trade_title} {index}"
    languages = ["en", *rng.sample(["es", "fr"], rng.randint(0, 2))]
    numbers = [f"+1{area}{index:07d}", f"+1{int(area) + 1}{index:07d}"]
    open_from, open_to = rng.choice((7, 8, 9)), rng.choice((16, 17, 18))
    lunch = rng.choice((11, 12, 13))
    people = rng.sample(FIRST, rng.randint(3, 8))
    urgent_kinds = kinds[:2]
    year = 2026
    lines = [
        f'client {client_id} "{title}" {{',
        f'    timezone "{zone}"',
        f"    languages {', '.join(languages)}",
        f"    numbers {', '.join(chr(34) + n + chr(34) for n in numbers)}",
        f"    holidays {region}",
        f'    holiday "Staff day" {year}-{rng.randint(3, 10):02d}-{rng.randint(1, 28):02d}',
        f"    window open = mon-fri {open_from:02d}:00-{open_to:02d}:00"
        + (f", sat {open_from + 1:02d}:00-12:00" if rng.random() < 0.4 else ""),
        f"    window lunch = mon-fri {lunch:02d}:00-{lunch:02d}:30",
        f"    window night = daily {rng.choice((20, 21, 22))}:00-{rng.choice((5, 6, 7)):02d}:00",
        f'    closed "Winter break" {year}-12-24 {rng.choice((12, 13))}:00 to {year}-12-26 08:00',
    ]
    for n, person in enumerate(people):
        phone = f"+1{area}{(index * 10 + n) % 10_000_000:07d}"
        email = f' email "{person}@{trade}{index}.example"' if rng.random() < 0.6 else ""
        lines.append(
            f'    contact {person} "{person.title()} {chr(65 + n)}." {{ call "{phone}"  sms "{phone}"{email} }}'
        )
    lines.append(f'    contact desk "Front desk" {{ call "{numbers[0]}"  email "desk@{trade}{index}.example" }}')
    lines.append(f'    list vip = "+1773{index:07d}", "+1774{index:07d}"')
    teams = ["oncall"] + (["backup"] if rng.random() < 0.4 else [])
    for team in teams:
        # The first team rotates through everyone, so every contact has a part to play.
        members = people if team == teams[0] else rng.sample(people, rng.randint(2, min(4, len(people))))
        started = f"{rng.randint(2016, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 08:00"
        period = rng.choice(("daily", "weekly", f"every {rng.randint(2, 14)} days"))
        lines.append(f"    oncall {team} {{")
        lines.append(f"        rotation {period} from {started} {{ {', '.join(members)} }}")
        if rng.random() < 0.5:
            weekend = rng.sample(people, 2)
            lines.append(f"        rotation daily from {year}-01-03 12:00 {{ {', '.join(weekend)} }} only sat-sun")
        if rng.random() < 0.3:
            lines.append(f"        override {year}-12-24 12:00 to {year}-12-26 08:00 {rng.choice(members)}")
        lines.append("    }")
    policies = ["emergency"] + (["urgent"] if rng.random() < 0.5 else [])
    for policy in policies:
        lines.append(f"    escalation {policy} {{")
        lines.append(f"        step call oncall {teams[-1]}, wait {rng.choice((3, 5, 10))}m")
        lines.append(f"        step sms oncall {teams[0]}, call {people[0]}, wait {rng.choice((10, 15))}m")
        lines.append(f"        repeat {rng.randint(1, 3)}")
        lines.append("        finally take message priority high deliver email desk")
        lines.append("    }")
    name = title
    busy, closed, default = ({lang: GREETINGS[lang][i].format(name=name) for lang in languages} for i in (2, 1, 0))
    lines += [
        f'    greeting busy "busy or no answer while open" when open and forwarded (busy, no_answer) {text_block(busy, languages)}',
        f"    greeting after_hours when not open or holiday or closed {text_block(closed, languages)}",
    ]
    if rng.random() < 0.5:
        lines.append(
            '    greeting away when forwarded manual and status { en "'
            + name
            + ', this is {agent}. {client} is unavailable: {status.note}" }'
        )
    lines.append(f"    greeting default {text_block(default, languages)}")
    lines += [
        "    script intake {",
        f"        ask name {text_block(PROMPTS['name'], languages)} required",
        f"        ask callback {text_block(PROMPTS['callback'], languages)} phone required",
        f"        ask type {text_block(PROMPTS['type'], languages)} choice ({', '.join(kinds)}) required",
        '        ask details "Anything else we should know?" when not open',
        '        say "Thank you, {answer.name}. I will pass this on right away."',
        "    }",
    ]
    if rng.random() < 0.5:
        lines.append(
            '    script short { ask name "May I have your name?" required  ask message "What is your message?" }'
        )
        lines.append("    choose script short when lunch")
    lines.append("    choose script intake otherwise")
    phrase = rng.choice(('"flood"', '"gas leak"', '"bleeding"', '"emergency"'))
    lines += [
        "    urgency {",
        f"        emergency when type in ({', '.join(urgent_kinds)}) or said ({phrase})",
        f"        urgent when type is {kinds[2]} or caller in vip",
        "        routine otherwise",
        "    }",
        "    route {",
        "        when urgency is emergency and (not open or holiday or closed) -> escalate emergency",
        "        when urgency is emergency -> patch desk, else escalate emergency",
    ]
    if "urgent" in policies:
        lines.append("        when urgency is urgent -> escalate urgent")
    else:
        lines.append(
            f"        when urgency is urgent -> patch oncall {teams[0]}, else take message priority high deliver sms {people[0]}"
        )
    if rng.random() < 0.5:
        lines.append("        when lunch -> callback within 30m")
    lines += [
        "        otherwise -> take message deliver email desk",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def generate(directory: Path, count: int = 1000, seed: int = 7) -> list[Path]:
    """Write `count` client files into `directory` (created if needed); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        path = directory / f"client_{index:05d}.rules"
        path.write_text(client_text(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = generate(args.out, args.count, args.seed)
    print(f"wrote {len(paths)} clients to {args.out}")


if __name__ == "__main__":
    main()
