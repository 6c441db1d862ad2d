"""Words for the demo network: names, roles, companies, topics, post and reply templates.

Everything here is invented. Companies are fictional and every link points at the reserved
``example.com`` / ``example.org`` / ``example.net`` domains (RFC 2606), so a demo instance never
sends a request anywhere when someone opens a post.

Post templates use ``{tag}`` / ``{tag2}`` (a hashtag from the author's topics, without '#'),
``{mention}`` (a username) and ``{link}`` (a URL); the generator fills them.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Ada Aisha Alejandro Amara Ana Anders Arjun Astrid Beatriz Ben Bo Camille Carlos Chen "
    "Chiara Chloe Dario Dmitri Elena Elif Emeka Emma Farah Felix Fatima Gabriel Greta Hana "
    "Hiro Ines Ingrid Isaac Ivan Jana Javier Jia Jonas Julia Kai Kalani Karim Kenji Kofi Lars "
    "Leila Lena Liam Lucia Mads Maja Malik Marco Maria Mateo Mei Mia Mikael Nadia Naveen Nia "
    "Nils Noor Olga Omar Oskar Priya Rafael Ravi Rosa Ruth Sakura Sam Sanjay Sara Sebastian "
    "Sofia Tariq Thea Tomás Uma Valentina Vikram Wei Yara Yusuf Zainab Zoe Hugo Ilse Kwame"
)

LAST_NAMES = _words(
    "Abebe Adeyemi Alvarez Andersen Bauer Becker Bianchi Brooks Castillo Chowdhury Costa Dahl "
    "Dubois Eriksen Fernandes Fischer Garcia Gupta Haddad Hansen Hoffmann Ibrahim Iyer Jansen "
    "Kato Kaur Kim Kowalski Larsen Lee Lindqvist Lopez Mahmoud Martin Mensah Meyer Moreau "
    "Murphy Nakamura Nguyen Novak Okafor Olsen Ortiz Park Patel Petrov Quinn Rahman Reyes "
    "Rossi Sato Schmidt Silva Singh Sorensen Suzuki Tanaka Torres Varga Wagner Walsh Weber "
    "Yilmaz Zhang Zhou Okoye Haugen Lund Virtanen"
)

ROLES = [
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Principal Engineer",
    "Engineering Manager",
    "Director of Engineering",
    "CTO",
    "Site Reliability Engineer",
    "Platform Engineer",
    "Data Engineer",
    "Data Scientist",
    "ML Engineer",
    "Security Engineer",
    "Product Manager",
    "Product Designer",
    "UX Researcher",
    "Developer Advocate",
    "Technical Writer",
    "Frontend Engineer",
    "Backend Engineer",
    "Database Administrator",
    "Solutions Architect",
    "QA Lead",
    "Open Source Maintainer",
    "Founder",
    "Analytics Engineer",
]

COMPANIES = [
    "Northwind Analytics",
    "Bluefin Logistics",
    "Cobalt Health",
    "Larkspur Bank",
    "Meridian Maps",
    "Quillsoft",
    "Tidewater Energy",
    "Orchard Retail",
    "Fernhill Labs",
    "Granite Cloud",
    "Helix Genomics",
    "Juniper Payments",
    "Kestrel Robotics",
    "Lumen Media",
    "Marlin Travel",
    "Nimbus Storage",
    "Oakridge Insurance",
    "Pinecone Games",
    "Quarry Data",
    "Redwood Education",
    "Saltmarsh Studio",
    "Thistle Security",
    "Umber Foods",
    "Vantage Rail",
    "Willow Telecom",
    "Yellowfin Freight",
    "Zephyr Mobility",
    "Basalt Systems",
    "Copperleaf Software",
    "Driftwood Consulting",
    "the City Transit Authority",
    "a small open-source foundation",
]

BIO_OPENERS = [
    "Building {thing} at {company}.",
    "I make {thing} less painful.",
    "Previously {past_role} at {past_company}; now {thing} at {company}.",
    "Writing about {topic} and {topic2} on my blog.",
    "Part-time speaker, full-time {topic} nerd.",
    "Twenty years of {topic}, still learning.",
    "Helping teams ship {thing} without the drama.",
]

BIO_THINGS = [
    "data pipelines",
    "payment systems",
    "developer tools",
    "search",
    "internal platforms",
    "mobile apps",
    "observability",
    "design systems",
    "APIs",
    "recommendation systems",
    "incident response",
    "accessible interfaces",
    "build systems",
    "database tooling",
]

BIO_CLOSERS = [
    "Opinions are my own.",
    "Ask me about {topic}.",
    "Organiser of the local {topic} meetup.",
    "Coffee, climbing and code review.",
    "Mentoring junior engineers on weekends.",
    "Slowly writing a book about {topic}.",
    "Based in {city}.",
    "Talks and slides linked from my site.",
    "",
]

CITIES = [
    "Lisbon",
    "Berlin",
    "Nairobi",
    "Toronto",
    "Bangalore",
    "Oslo",
    "Austin",
    "Melbourne",
    "Seoul",
    "Lagos",
    "Montreal",
    "Edinburgh",
    "Valencia",
    "Kraków",
    "São Paulo",
    "Osaka",
]

# Topic hashtags (lower-case, without '#') and short phrases about each, used inside templates
# as {subject}. Users pick a few topics; their posts use them.
SUBJECTS = {
    "python": ["type hints", "the new asyncio task groups", "packaging with pyproject", "uv"],
    "django": ["Django 5.2", "the ORM's bulk_create", "Django's async views", "migrations"],
    "postgres": ["partial indexes", "logical replication", "VACUUM tuning", "JSONB queries"],
    "sqlite": ["WAL mode", "SQLite in production", "FTS5", "STRICT tables"],
    "rust": [
        "the borrow checker",
        "async Rust",
        "error handling with thiserror",
        "cargo workspaces",
    ],
    "golang": ["generics in Go", "context cancellation", "Go's new iterators", "pprof"],
    "typescript": ["strict mode", "discriminated unions", "TypeScript project references"],
    "react": ["server components", "useEffect cleanup", "React Query", "form state"],
    "kubernetes": ["pod disruption budgets", "HPA tuning", "Helm charts", "operators"],
    "devops": ["GitOps", "blue-green deploys", "CI caching", "feature flags"],
    "sre": ["error budgets", "SLOs that people read", "on-call handovers", "postmortems"],
    "observability": ["OpenTelemetry", "structured logging", "tail-based sampling", "RED metrics"],
    "security": ["SBOMs", "passkeys", "threat modelling", "dependency pinning"],
    "privacy": ["data minimisation", "retention policies", "consent flows"],
    "ml": ["feature stores", "model monitoring", "evaluation sets", "gradient boosting"],
    "llm": ["retrieval-augmented generation", "eval harnesses", "prompt caching"],
    "datascience": ["A/B test power", "notebook hygiene", "causal inference"],
    "dataengineering": ["dbt models", "CDC pipelines", "Parquet layouts", "backfills"],
    "accessibility": ["focus management", "screen reader testing", "colour contrast"],
    "ux": ["usability testing", "onboarding flows", "empty states"],
    "design": ["design tokens", "design reviews", "typography scales"],
    "productmanagement": ["roadmaps", "discovery interviews", "writing PRDs"],
    "leadership": ["one-on-ones", "delegation", "giving feedback"],
    "engineeringmanagement": ["team topologies", "promotion packets", "planning cycles"],
    "career": ["staff-plus roles", "switching teams", "negotiating offers"],
    "hiring": ["take-home exercises", "structured interviews", "job descriptions"],
    "remotework": ["async standups", "meeting-free days", "written decisions"],
    "opensource": ["maintainer burnout", "contributor guides", "release notes"],
    "testing": ["property-based testing", "flaky tests", "contract tests"],
    "performance": ["flame graphs", "N+1 queries", "cache invalidation", "p99 latency"],
    "architecture": ["modular monoliths", "event sourcing", "ADR templates"],
    "cloud": ["egress costs", "multi-region failover", "spot instances"],
    "aws": ["IAM policies", "Lambda cold starts", "S3 lifecycle rules"],
    "linux": ["systemd timers", "cgroups v2", "io_uring"],
    "networking": ["IPv6 rollout", "TLS 1.3", "HTTP/3"],
    "webdev": ["htmx", "progressive enhancement", "view transitions"],
    "css": ["container queries", "CSS nesting", ":has()"],
    "mobile": ["offline sync", "app size budgets", "push notification opt-in"],
    "fintech": ["idempotent payments", "ledger design", "reconciliation jobs"],
    "healthtech": ["HL7 FHIR", "audit trails", "clinical workflows"],
    "climatetech": ["grid-aware scheduling", "carbon accounting", "energy dashboards"],
    "conferences": ["CFP writing", "hallway track", "speaker prep"],
}

TOPICS = list(SUBJECTS)

POST_TEMPLATES = [
    "Wrote up what we learned moving to {subject}: {link} #{tag}",
    "New blog post: why {subject} finally clicked for our team. {link} #{tag} #{tag2}",
    "Hot take: most problems with {subject} are really planning problems. #{tag}",
    "Three things I wish I'd known about {subject} before last quarter:\n"
    "1. measure first\n2. write it down\n3. ask for review early #{tag}",
    "Shipped today: {subject} behind a feature flag for 5% of traffic. So far so good. #{tag}",
    "Good read on {subject}, with numbers rather than vibes: {link} #{tag}",
    "Our incident last week came down to {subject}. Postmortem is public: {link} #{tag} #{tag2}",
    "Slides from my talk on {subject} are up: {link} #{tag} #conferences",
    "Pairing with @{mention} on {subject} this afternoon; learned more in two hours than in a week "
    "of reading. #{tag}",
    "Reminder that {subject} is a team sport. Thanks @{mention} for the thorough review! #{tag}",
    "If you only read one thing about {subject} this month, make it this: {link}",
    "Small win: cut our build time by 40% with {subject}. Details in the thread below. #{tag}",
    "We're hiring engineers who care about {subject}. Remote-friendly. {link} #hiring #{tag}",
    "Unpopular opinion: {subject} is overrated for teams under ten people. #{tag} #{tag2}",
    "Finally wrote down our team's conventions for {subject}: {link} #{tag}",
    "Day 3 of trying {subject} in production. Latency is down, my pager is quiet. #{tag}",
    "Book recommendation for anyone working on {subject}: the chapter on trade-offs alone is "
    "worth it. #{tag}",
    "Running a workshop on {subject} next month, free for community members. {link} #{tag}",
    "TIL: {subject} has a setting that would have saved us a weekend last year. #{tag}",
    "Release notes for our open-source toolkit: better {subject} support and fewer footguns. "
    "{link} #opensource #{tag}",
]

QUESTION_TEMPLATES = [
    "How do you approach {subject} on a team that's never done it before? #{tag}",
    "Anyone running {subject} at scale? What broke first? #{tag}",
    "What's your go-to resource for learning {subject}? Looking for something practical. #{tag}",
    "Is {subject} worth it for a team of five, or is it premature? #{tag} #{tag2}",
    "How do you test {subject} without a full staging environment? #{tag} #testing",
    "Which metrics do you actually look at for {subject}? #{tag}",
    "What's the one mistake you'd warn people about with {subject}? #{tag}",
]

REPLY_TEMPLATES = [
    "Great write-up, thanks for sharing the numbers.",
    "This matches what we saw at {company}.",
    "Bookmarking this for our next planning session.",
    "Curious how this holds up once traffic doubles.",
    "We tried something similar and hit a wall with {subject}. Would love to compare notes.",
    "The part about writing it down first is so underrated.",
    "Sharing this with my team, thank you!",
    "Have you compared it with the approach in the docs? We found it simpler.",
    "Congrats on shipping!",
    "Strong agree. Also worth measuring before and after.",
]

ANSWER_TEMPLATES = [
    "Start small: one service, one dashboard, and a written rollback plan. Then expand.",
    "We wrote a one-page checklist for {subject} and reviewed it in every PR for a month. "
    "It stuck.",
    "Honestly the docs are good now. Pair that with a small internal demo and people get it fast.",
    "The first thing that broke for us was observability: we couldn't tell what {subject} was "
    "doing. Add metrics before you need them.",
    "For a team of five I'd wait until the pain is real. Keep a note of the incidents that "
    "would have been avoided.",
    "Contract tests plus a nightly run against production-like data covered 90% of our cases.",
    "Error rate, p99 latency and the number of manual interventions per week.",
    "Don't skip the migration dry-run. We learned that the hard way.",
]


@dataclass(frozen=True)
class LinkTemplate:
    domain: str
    site_name: str
    path: str  # with {slug}
    title: str  # with {subject_title}
    description: str  # with {subject}


# Reserved domains only: a demo must never trigger a real fetch or link to a real site.
LINK_TEMPLATES = [
    LinkTemplate(
        "blog.example.com",
        "Engineering Notes",
        "/posts/{slug}",
        "What we learned about {subject_title}",
        "A practical write-up on {subject}: what worked, what didn't, and the numbers behind it.",
    ),
    LinkTemplate(
        "engineering.example.org",
        "The Example Org Engineering Blog",
        "/{slug}",
        "{subject_title} in production",
        "How our platform team rolled out {subject} across forty services without downtime.",
    ),
    LinkTemplate(
        "docs.example.net",
        "Example Docs",
        "/guides/{slug}",
        "Guide: {subject_title}",
        "Step-by-step guide to {subject}, with examples and common pitfalls.",
    ),
    LinkTemplate(
        "news.example.com",
        "Example Tech News",
        "/2025/{slug}",
        "Why everyone is talking about {subject_title}",
        "Industry teams report faster delivery after adopting {subject}; analysts urge caution.",
    ),
    LinkTemplate(
        "talks.example.org",
        "Example Conf",
        "/talks/{slug}",
        "Talk: {subject_title}, the good parts",
        "Slides and recording of the talk on {subject} from this year's conference.",
    ),
    LinkTemplate(
        "jobs.example.com",
        "Example Careers",
        "/openings/{slug}",
        "We're hiring: engineers for {subject_title}",
        "Join a small team working on {subject}. Remote-friendly, flexible hours.",
    ),
]
