"""arXiv's category codes and their names, for the people reading them.

Chips and category pages show "Computation and Language" beside ``cs.CL``; what a reader types
("cs.lg") is read in arXiv's own spelling; a code arXiv does not have ("cs.CLL") is caught where
it is typed, with the nearest real one suggested, instead of following or mailing nothing.
Codes and names as arXiv publishes them (its taxonomy in arXiv/arxiv-base, MIT; read 2026-06).
A category arXiv adds later is still accepted wherever this instance holds papers in it
(the services check that), so the table only needs to be current for names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

NAMES: Final[dict[str, str]] = {
    "acc-phys": "Accelerator Physics",  # retired
    "adap-org": "Adaptation, Noise, and Self-Organizing Systems",  # retired
    "alg-geom": "Algebraic Geometry",  # retired
    "ao-sci": "Atmospheric-Oceanic Sciences",  # retired
    "astro-ph": "Astrophysics",  # retired
    "astro-ph.CO": "Cosmology and Nongalactic Astrophysics",
    "astro-ph.EP": "Earth and Planetary Astrophysics",
    "astro-ph.GA": "Astrophysics of Galaxies",
    "astro-ph.HE": "High Energy Astrophysical Phenomena",
    "astro-ph.IM": "Instrumentation and Methods for Astrophysics",
    "astro-ph.SR": "Solar and Stellar Astrophysics",
    "atom-ph": "Atomic, Molecular and Optical Physics",  # retired
    "bayes-an": "Bayesian Analysis",  # retired
    "chao-dyn": "Chaotic Dynamics",  # retired
    "chem-ph": "Chemical Physics",  # retired
    "cmp-lg": "Computation and Language",  # retired
    "comp-gas": "Cellular Automata and Lattice Gases",  # retired
    "cond-mat": "Condensed Matter",  # retired
    "cond-mat.dis-nn": "Disordered Systems and Neural Networks",
    "cond-mat.mes-hall": "Mesoscale and Nanoscale Physics",
    "cond-mat.mtrl-sci": "Materials Science",
    "cond-mat.other": "Other Condensed Matter",
    "cond-mat.quant-gas": "Quantum Gases",
    "cond-mat.soft": "Soft Condensed Matter",
    "cond-mat.stat-mech": "Statistical Mechanics",
    "cond-mat.str-el": "Strongly Correlated Electrons",
    "cond-mat.supr-con": "Superconductivity",
    "cs.AI": "Artificial Intelligence",
    "cs.AR": "Hardware Architecture",
    "cs.CC": "Computational Complexity",
    "cs.CE": "Computational Engineering, Finance, and Science",
    "cs.CG": "Computational Geometry",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.CY": "Computers and Society",
    "cs.DB": "Databases",
    "cs.DC": "Distributed, Parallel, and Cluster Computing",
    "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics",
    "cs.DS": "Data Structures and Algorithms",
    "cs.ET": "Emerging Technologies",
    "cs.FL": "Formal Languages and Automata Theory",
    "cs.GL": "General Literature",
    "cs.GR": "Graphics",
    "cs.GT": "Computer Science and Game Theory",
    "cs.HC": "Human-Computer Interaction",
    "cs.IR": "Information Retrieval",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems",
    "cs.MM": "Multimedia",
    "cs.MS": "Mathematical Software",
    "cs.NA": "Numerical Analysis",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.NI": "Networking and Internet Architecture",
    "cs.OH": "Other Computer Science",
    "cs.OS": "Operating Systems",
    "cs.PF": "Performance",
    "cs.PL": "Programming Languages",
    "cs.RO": "Robotics",
    "cs.SC": "Symbolic Computation",
    "cs.SD": "Sound",
    "cs.SE": "Software Engineering",
    "cs.SI": "Social and Information Networks",
    "cs.SY": "Systems and Control",
    "dg-ga": "Differential Geometry",  # retired
    "econ.EM": "Econometrics",
    "econ.GN": "General Economics",
    "econ.TH": "Theoretical Economics",
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "eess.SP": "Signal Processing",
    "eess.SY": "Systems and Control",
    "funct-an": "Functional Analysis",  # retired
    "gr-qc": "General Relativity and Quantum Cosmology",
    "hep-ex": "High Energy Physics - Experiment",
    "hep-lat": "High Energy Physics - Lattice",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-th": "High Energy Physics - Theory",
    "math-ph": "Mathematical Physics",
    "math.AC": "Commutative Algebra",
    "math.AG": "Algebraic Geometry",
    "math.AP": "Analysis of PDEs",
    "math.AT": "Algebraic Topology",
    "math.CA": "Classical Analysis and ODEs",
    "math.CO": "Combinatorics",
    "math.CT": "Category Theory",
    "math.CV": "Complex Variables",
    "math.DG": "Differential Geometry",
    "math.DS": "Dynamical Systems",
    "math.FA": "Functional Analysis",
    "math.GM": "General Mathematics",
    "math.GN": "General Topology",
    "math.GR": "Group Theory",
    "math.GT": "Geometric Topology",
    "math.HO": "History and Overview",
    "math.IT": "Information Theory",
    "math.KT": "K-Theory and Homology",
    "math.LO": "Logic",
    "math.MG": "Metric Geometry",
    "math.MP": "Mathematical Physics",
    "math.NA": "Numerical Analysis",
    "math.NT": "Number Theory",
    "math.OA": "Operator Algebras",
    "math.OC": "Optimization and Control",
    "math.PR": "Probability",
    "math.QA": "Quantum Algebra",
    "math.RA": "Rings and Algebras",
    "math.RT": "Representation Theory",
    "math.SG": "Symplectic Geometry",
    "math.SP": "Spectral Theory",
    "math.ST": "Statistics Theory",
    "mtrl-th": "Materials Theory",  # retired
    "nlin.AO": "Adaptation and Self-Organizing Systems",
    "nlin.CD": "Chaotic Dynamics",
    "nlin.CG": "Cellular Automata and Lattice Gases",
    "nlin.PS": "Pattern Formation and Solitons",
    "nlin.SI": "Exactly Solvable and Integrable Systems",
    "nucl-ex": "Nuclear Experiment",
    "nucl-th": "Nuclear Theory",
    "patt-sol": "Pattern Formation and Solitons",  # retired
    "physics.acc-ph": "Accelerator Physics",
    "physics.ao-ph": "Atmospheric and Oceanic Physics",
    "physics.app-ph": "Applied Physics",
    "physics.atm-clus": "Atomic and Molecular Clusters",
    "physics.atom-ph": "Atomic Physics",
    "physics.bio-ph": "Biological Physics",
    "physics.chem-ph": "Chemical Physics",
    "physics.class-ph": "Classical Physics",
    "physics.comp-ph": "Computational Physics",
    "physics.data-an": "Data Analysis, Statistics and Probability",
    "physics.ed-ph": "Physics Education",
    "physics.flu-dyn": "Fluid Dynamics",
    "physics.gen-ph": "General Physics",
    "physics.geo-ph": "Geophysics",
    "physics.hist-ph": "History and Philosophy of Physics",
    "physics.ins-det": "Instrumentation and Detectors",
    "physics.med-ph": "Medical Physics",
    "physics.optics": "Optics",
    "physics.plasm-ph": "Plasma Physics",
    "physics.pop-ph": "Popular Physics",
    "physics.soc-ph": "Physics and Society",
    "physics.space-ph": "Space Physics",
    "plasm-ph": "Plasma Physics",  # retired
    "q-alg": "Quantum Algebra and Topology",  # retired
    "q-bio": "Quantitative Biology",  # retired
    "q-bio.BM": "Biomolecules",
    "q-bio.CB": "Cell Behavior",
    "q-bio.GN": "Genomics",
    "q-bio.MN": "Molecular Networks",
    "q-bio.NC": "Neurons and Cognition",
    "q-bio.OT": "Other Quantitative Biology",
    "q-bio.PE": "Populations and Evolution",
    "q-bio.QM": "Quantitative Methods",
    "q-bio.SC": "Subcellular Processes",
    "q-bio.TO": "Tissues and Organs",
    "q-fin.CP": "Computational Finance",
    "q-fin.EC": "Economics",
    "q-fin.GN": "General Finance",
    "q-fin.MF": "Mathematical Finance",
    "q-fin.PM": "Portfolio Management",
    "q-fin.PR": "Pricing of Securities",
    "q-fin.RM": "Risk Management",
    "q-fin.ST": "Statistical Finance",
    "q-fin.TR": "Trading and Market Microstructure",
    "quant-ph": "Quantum Physics",
    "solv-int": "Exactly Solvable and Integrable Systems",  # retired
    "stat.AP": "Applications",
    "stat.CO": "Computation",
    "stat.ME": "Methodology",
    "stat.ML": "Machine Learning",
    "stat.OT": "Other Statistics",
    "stat.TH": "Statistics Theory",
    "supr-con": "Superconductivity",  # retired
}

# arXiv's groups, in the order its own listing gives them, and the archives (a code's part before
# the dot) in each. Retired archives sit where arXiv files them (cmp-lg under Computer Science).
GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "Physics": ("astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin",
                "nucl-ex", "nucl-th", "physics", "quant-ph", "acc-phys", "adap-org", "ao-sci", "atom-ph",
                "bayes-an", "chao-dyn", "chem-ph", "comp-gas", "mtrl-th", "patt-sol", "plasm-ph", "solv-int",
                "supr-con"),
    "Mathematics": ("math", "alg-geom", "dg-ga", "funct-an", "q-alg"),
    "Computer Science": ("cs", "cmp-lg"),
    "Quantitative Biology": ("q-bio",),
    "Quantitative Finance": ("q-fin",),
    "Statistics": ("stat",),
    "Electrical Engineering and Systems Science": ("eess",),
    "Economics": ("econ",),
}
OTHER_GROUP: Final = "Other"
# arXiv's OAI-PMH sets: one per group, and under physics one per active archive ("physics:hep-th").
GROUP_SETS: Final[dict[str, str]] = {
    "Physics": "physics", "Mathematics": "math", "Computer Science": "cs", "Quantitative Biology": "q-bio",
    "Quantitative Finance": "q-fin", "Statistics": "stat", "Electrical Engineering and Systems Science": "eess",
    "Economics": "econ",
}
PHYSICS_ARCHIVES: Final = GROUPS["Physics"][:13]  # the active ones; retired archives come with "physics"

_BY_FOLDED: Final[dict[str, str]] = {code.casefold(): code for code in NAMES}
_GROUP_OF: Final[dict[str, str]] = {archive: group for group, archives in GROUPS.items() for archive in archives}


def category_name(code: str) -> str | None:
    """The category's name, or None for a code arXiv does not list.

    >>> category_name("cs.CL"), category_name("cs.XX")
    ('Computation and Language', None)
    """
    return NAMES.get(code)


def canonical_category(text: str) -> str:
    """``text`` in arXiv's spelling when it names a listed category in any case; else as given.

    >>> canonical_category("cs.lg"), canonical_category(" HEP-TH "), canonical_category("cs.XX")
    ('cs.LG', 'hep-th', 'cs.XX')
    """
    stripped = text.strip()
    return _BY_FOLDED.get(stripped.casefold(), stripped)


def category_group(code: str) -> str:
    """The arXiv group a code belongs to, by its archive; :data:`OTHER_GROUP` for one arXiv does not list.

    >>> category_group("cs.CL"), category_group("hep-th"), category_group("astro-ph.CO"), category_group("zz.AB")
    ('Computer Science', 'Physics', 'Physics', 'Other')
    """
    return _GROUP_OF.get(code.split(".", 1)[0], OTHER_GROUP)


def is_listed_category(code: str) -> bool:
    return code in NAMES


def nearest_category(text: str) -> str | None:
    """The listed code a mistyped one most likely meant ("cs.CLL" → "cs.CL"), if one is close.

    >>> nearest_category("cs.CLL"), nearest_category("zzzz")
    ('cs.CL', None)
    """
    found = difflib.get_close_matches(text.strip().casefold(), list(_BY_FOLDED), n=1, cutoff=0.8)
    return _BY_FOLDED[found[0]] if found else None


def unknown_category_message(code: str) -> str:
    """What to tell a reader who typed a code that is neither listed nor held here."""
    near = nearest_category(code)
    hint = f" Did you mean {near} ({NAMES[near]})?" if near else " Codes look like cs.LG, math.AP or hep-th."
    return f"{code[:40]!r} is not an arXiv category.{hint}"


def oai_set_mistake(spec: str) -> str | None:
    """What is wrong with ``spec`` as an arXiv OAI-PMH set when it is a category or archive code; else None.

    arXiv's sets are its groups (cs, math, stat, …) and, under physics, each archive
    (physics:hep-th); a category code is none of them and arXiv refuses it (badArgument). A
    value we do not know (another server's set, a finer set with ":") is left to the server.

    >>> oai_set_mistake("cs.CL")[:75]
    "'cs.CL' is an arXiv category, not an OAI-PMH set: harvest the set cs, which"
    >>> oai_set_mistake("hep-th")[:80], oai_set_mistake("cs"), oai_set_mistake("physics:hep-th")
    ("'hep-th' is an arXiv category, not an OAI-PMH set: harvest the set physics:hep-t", None, None)
    """
    code = canonical_category(spec)
    archive = code.split(".", 1)[0]
    if ":" in code or code in GROUP_SETS.values() or (code not in NAMES and archive not in _GROUP_OF):
        return None
    holder = f"physics:{archive}" if archive in PHYSICS_ARCHIVES else GROUP_SETS[_GROUP_OF[archive]]
    return (f"{spec.strip()!r} is an arXiv category, not an OAI-PMH set: harvest the set {holder}, which holds it "
            f"(pages, search and digests can each be kept to {code})")


@dataclass(frozen=True, slots=True)
class HeldCategory:
    code: str
    name: str | None
    papers: int


def group_held(counts: Iterable[tuple[str, int]]) -> list[tuple[str, list[HeldCategory]]]:
    """Categories held here, under arXiv's groups in arXiv's order (then "Other"), each by code.

    >>> [(g, [c.code for c in cs]) for g, cs in group_held([("stat.ML", 3), ("cs.LG", 9), ("cs.CL", 4)])]
    [('Computer Science', ['cs.CL', 'cs.LG']), ('Statistics', ['stat.ML'])]
    """
    grouped: dict[str, list[HeldCategory]] = {}
    for code, papers in counts:
        grouped.setdefault(category_group(code), []).append(HeldCategory(code, NAMES.get(code), papers))
    order = [*GROUPS, OTHER_GROUP]
    return [(g, sorted(grouped[g], key=lambda c: c.code.casefold())) for g in order if g in grouped]
