"""Language helpers for matching questions: normalising, stop words, light stemming.

This is language, not domain knowledge: which words carry no meaning in a question and how
English and Spanish inflect. What a word *means* for the region (synonyms, paraphrases)
lives in ``TopicAlias`` rows that staff keep in the admin.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

# Spellings of the United States that lower-casing would turn into the pronoun "us".
_USA = re.compile(
    r"\b(?:U\.?S\.?A\.?|U\.S\.|US|EE\.?\s?UU\.?|E\.?U\.?A\.?)(?![\w.])"
    r"|\b(?:[Tt]he )?[Uu]nited [Ss]tates(?: of [Aa]merica)?\b|\b[Ee]stados [Uu]nidos\b"
)
# "R&D", "I+D": one word.
_JOINED = re.compile(r"(?<=\w)[&+](?=\w)")
_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_APOSTROPHE = re.compile(r"['\u2019`]")
_WORD = re.compile(r"[a-z0-9]+")
# A sentence starts the text, or follows a full stop, a question or exclamation mark, a
# colon or semicolon, or a dash between spaces ("port of SD - cold storage?").
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;]\s*|\s[-\u2013\u2014]+\s+)$")

STOP_WORDS_EN = frozenset(
    """
    a about above across after again against all almost also am an and any anyone anything
    are aren around as ask asking at available be because been before being below between
    both but by can cannot could couldn currently d did didn do does doesn doing don done
    down during each either else enough ever every exactly find for from further get gets
    getting give go going good got great had hadn has hasn have haven having he her here
    hers herself hi hello him himself his how however i if im in into is isn it its itself
    just kind know let like likely ll look looking lot lots m ma main make may maybe me
    mean might more most much must my myself need needs nice no nor not now o of off
    often ok okay on once one only or other our ours ourselves out over own please pretty
    quite rather re really right s said same say see seem shall she should shouldn show so
    some someone something sort still such sure t tell than thank thanks that the their
    theirs them themselves then there these they thing things think this those though
    through to too under until up us use used using ve very want wanted wants was wasn way
    we well were weren what whats when where whether which while who whom whose why will
    with within without won would wouldn y yeah yes yet you your yours yourself yourselves
    anybody around best better etc hey info information interested curious wondering many
    few several per via lol tbh nah btw imo fyi asap
    """.split()
)

STOP_WORDS_ES = frozenset(
    """
    a al algo alguien algun alguna algunas alguno algunos alla alli ante antes aqui asi aun
    bien bueno buena buenas buenos cada casi como con contra cual cuales cualquier cuando
    cuanta cuantas cuanto cuantos de del desde donde dos e el ella ellas ello ellos en entre
    era eran eres es esa esas ese eso esos esta estaba estan estar estas este esto
    estos estoy favor fue fueron gracias ha haber habia hace hacen hacer hacia han has hasta
    hay he hola informacion la las le les lo los mas me mejor mi mis mismo mucha muchas
    mucho muchos muy nada ni no nos nosotros nuestra nuestras nuestro nuestros o os otra
    otras otro otros para pero poco por porque pregunta puede pueden puedo pues que quien
    quienes quiero quisiera saber se sea ser si sido sin sobre son soy su sus tal tambien
    tan tanto te tenemos tener tengo tiene tienen ti toda todas todo todos tu tus u un una
    unas uno unos usted ustedes va vamos van vez y ya yo dime digame necesito interesa
    actualmente existe existen realmente cosa cosas tipo estamos somos puedes podemos
    podria podrian debo deberia tienes hacen hago oye oigan porfa porfis xfa
    """.split()
)

STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_ES

# General words of business questions that say nothing about what is asked ("Can my team
# easily..."). A matcher neither counts them for a topic nor against the question; a word
# outside both these and the region's vocabulary ("dentist", "football") counts against.
GENERAL_WORDS = frozenset(
    """
    able access actually add affordable allow amount answer approximately average basically
    big biggest bring build building buy capacity case check choose close come coming
    compare compared comparison considering current day days decide deal detail details
    different difficult done easily easy enough especially estimate example expand expect
    expected explain fast figure figures firm find fine general generally group happen hard
    help high highest huge idea important improve include includes increase large largest
    latest level list live located locate location long low main major manage manager
    managers measure move moving near nearby number numbers offer offers open operate
    operation operations option options overall overview part percent percentage picture
    plan planning plans possible pretty probably problem project provide quick quickly
    range rank ranking rate rates reach ready real reason recent recently relocate
    relocating require required run running serve set setting share side similar situation
    size small soon speak stand start starting stat stats statistic statistics status stay
    strong support team teams term terms top total typical typically usually value various
    whole work working worth year years new investor investors company companies firms
    business businesses
    abrir actual actualmente acceso alto alta ayuda buscar cantidad caso cerca
    cerca comparacion comparado comparar conocer considerar contar dato datos decir detalle
    detalles diferente dificil empezar equipo facil facilmente general grande grandes idea
    importante iniciar instalar llegar lista mayor mayores menor mover mudar nivel numero
    numeros ofrecer opcion opciones parte planear porcentaje posible principal principales
    problema proyecto rapido rapidamente realmente reciente situacion suficiente tamano
    total trabajar usar valor varios nuevo nueva nuevos nuevas inversionista
    inversionistas inversor inversores empresa empresas negocio negocios compania companias
    gerente gerentes
    """.split()
)

# Words that tie a question to one day: what happens today or tomorrow is news or a
# forecast, never a sourced fact of the region ("¿Va a llover mañana?").
MOMENT_WORDS = frozenset("today tonight tomorrow yesterday tonite hoy manana ayer anoche".split())
# ...but these say "these days", not one day: "¿Cuántos habitantes tiene hoy en día?".
NOWADAYS = (("hoy", "en", "dia"), ("hoy", "dia"), ("dia", "de", "hoy"), ("nowadays",))
# ...and these tie it to one week or month to come: "the cheapest flight next week".
MOMENT_PHRASES = tuple(
    tuple(phrase.split())
    for phrase in (
        "next week",
        "next weekend",
        "next month",
        "this weekend",
        "proxima semana",
        "semana que entra",
        "proximo mes",
        "mes que entra",
        "este fin de semana",
    )
)

# Words that mark a question as Spanish or English when no language is given. Words that
# both languages write alike ("a", "me", "no", "son") are left out of both.
_SPANISH_MARKERS = frozenset(
    """
    al algun alguna como con cual cuales cuando cuanta cuantas cuanto cuantos de del desde
    donde el ella ellos en entre es esta estan este hay la las los mas muy nuestra nuestro
    para pero por porque puede pueden puedo que quien se sobre su sus tambien tiene tienen
    un una unos usted ustedes y
    """.split()
)
_ENGLISH_MARKERS = frozenset(
    """
    about are can could do does for from have how i if in is it many much my of on our
    the there they this to what when where which who why will with would you your
    """.split()
)
_SPANISH_CHARS = frozenset("áéíóúñü¿¡")


# How chat writes common short words: "q tan buena es", "xq", "tmb", "pa' TJ", "pls", "u".
# A question so written is read as if spelled out, so that these count neither for a topic
# nor against the question.
CHAT_FORMS = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tmb": "tambien",
    "tmbn": "tambien",
    "tb": "tambien",
    "pa": "para",
    "pal": "para",
    "hrs": "hours",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "u": "you",
    "r": "are",
    "ur": "your",
    "bc": "because",
    "cuz": "because",
    "abt": "about",
    "approx": "approximately",
    "w": "with",
    "ppl": "people",
    "rn": "now",
    "hows": "how",
    "theres": "there",
    "wanna": "want",
    "gonna": "going",
    "dnd": "donde",
}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents: "¿Cuántos?" becomes "¿cuantos?"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: its folded form and whether it was written with a capital."""

    text: str
    capitalized: bool
    sentence_start: bool
    # Part of a hyphenated compound that another word follows: "deep-water" in
    # "deep-water port" qualifies the port.
    modifier: bool = False
    # Written in capitals, as an acronym is ("IT", "TI"), in a text that is not all
    # capitals: a stop word so written ("it", "ti") is then a word of its own.
    acronym: bool = False
    # Which sentence of the text it is in, counting from 0.
    sentence: int = 0


def words(text: str) -> list[Word]:
    """Split ``text`` into folded words; "wi-fi" gives "wi" and "fi", "what's" gives "what"."""
    text = _JOINED.sub("", _USA.sub(" usa ", text))
    text = _APOSTROPHE.sub("", _APOSTROPHE_S.sub("", text))
    result = []
    sentence = -1
    for group in re.finditer(r"[^\W_]+(?:-[^\W_]+)*", text):
        followed = bool(re.match(r"\s+[^\W\d_]", text[group.end() :]))
        compound = "-" in group.group() and followed
        for match in re.finditer(r"[^\W_]+", group.group()):
            raw = match.group()
            folded = fold(raw)
            at = group.start() + match.start()
            start = bool(_SENTENCE_START.search(text[:at]))
            acronym = len(raw) > 1 and raw.isalpha() and raw.isupper()
            for part in _WORD.findall(folded):
                if not acronym:
                    part = CHAT_FORMS.get(part, part)
                if start or sentence < 0:
                    sentence += 1
                result.append(Word(part, raw[:1].isupper(), start, compound, acronym, sentence))
                start = False
    if sum(w.acronym for w in result) * 2 > len(result):
        # "WHAT IS IT": shouting, not acronyms.
        result = [dataclasses.replace(w, acronym=False) for w in result]
    return result


_SPANISH_VERB_ENDINGS = ("ando", "iendo", "aron", "ieron", "aban", "ar", "ir", "an")
_SPANISH_PARTICIPLES = ("ado", "ido", "ada", "ida")
_UNDOUBLE = frozenset(("bb", "dd", "gg", "mm", "nn", "pp", "rr", "tt"))
# Spanish stems that change their vowel when stressed: "cuesta"/"costo", "puerto"/"portuario",
# "invierte"/"invertir". Not after "q" or "g", where "u" only spells the sound ("queso").
_DIPHTHONG = re.compile(r"(?<![qg])(ue|ie)(?=[^aeiou])")


def stem(word: str) -> str:
    """A light stemmer shared by English and Spanish: plural, -ing, -ed, gender vowel.

    It aims at folding inflections of one word together ("engineers", "engineer";
    "ingenieros", "ingeniero"; "universities", "university"), not at linguistics.
    """
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("ces") and len(w) > 5:
        # Spanish plurals of -z: "cruces", "luces" -> "cruz", "luz".
        w = w[:-3] + "z"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) >= 7 and w.endswith("ally"):
        # "legally", "digitally" -> "legal", "digital".
        w = w[:-2]
    elif len(w) >= 9 and w.endswith("ment"):
        # "investment" -> "invest", but not "shipment" -> "ship".
        w = w[:-4]
    elif len(w) > 5 and w.endswith(("iest", "ier")):
        # "busiest", "busier" -> "busi", as "busy" is.
        w = w[: -4 if w.endswith("iest") else -3] + "i"
    elif len(w) >= 6 and w.endswith("ing"):
        w = w[:-3]
        if w[-2:] in _UNDOUBLE:
            w = w[:-1]
    elif len(w) > 5 and w.endswith("ed"):
        w = w[:-2]
        if w[-2:] in _UNDOUBLE:
            w = w[:-1]
    elif len(w) >= 8 and w.endswith(_SPANISH_PARTICIPLES):
        # Spanish participles: "invertido", "contratados" -> "invert", "contrat", as
        # "invertir", "contratar" are.
        w = w[:-3]
    elif len(w) >= 6 and w.endswith(_SPANISH_VERB_ENDINGS):
        # Spanish verb forms: "cruzan", "cruzar", "cruzando" -> "cruz".
        w = w[: -len(next(e for e in _SPANISH_VERB_ENDINGS if w.endswith(e)))]
    if (len(w) > 4 and w[-1] in "aeo") or (len(w) == 4 and w[-1] == "e" and w[-2] not in "aeiou"):
        w = w[:-1]
        if w.endswith("c") and word.endswith(("ce", "ces")):
            # "cruce" -> "cruz", as "cruzar" and "cruces" are.
            w = w[:-1] + "z"
    if len(w) > 3 and w[-1] == "y":
        w = w[:-1] + "i"
    return _DIPHTHONG.sub(lambda m: "o" if m.group() == "ue" else "e", w)


_ONLY_SPANISH = STOP_WORDS_ES - STOP_WORDS_EN
_ONLY_ENGLISH = STOP_WORDS_EN - STOP_WORDS_ES
_SPANISH_ENDINGS = ("cion", "ciones", "dad", "dades", "mente", "rian", "aron", "ando", "iendo")
_ENGLISH_ENDINGS = ("ing", "tion", "tions", "ness", "ship", "ould")


def detect_language(text: str) -> str:
    """Guess "es" or "en" from accents, opening marks, function words and endings; "en"
    when unsure."""
    score = 2.0 * sum(1 for c in text.lower() if c in _SPANISH_CHARS)
    for word in words(text):
        w = word.text
        if w in _SPANISH_MARKERS or w in _ONLY_SPANISH:
            score += 1
        elif w in _ENGLISH_MARKERS or w in _ONLY_ENGLISH:
            score -= 1
        elif len(w) > 4 and w.endswith(_SPANISH_ENDINGS):
            score += 0.5
        elif len(w) > 4 and w.endswith(_ENGLISH_ENDINGS):
            score -= 0.5
    return "es" if score > 0 else "en"


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters counts once), capped.

    Returns ``limit + 1`` as soon as the distance is known to exceed ``limit``.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def typo_allowance(word: str) -> int:
    """How many typing errors a word of this length may carry and still be recognised."""
    if len(word) < 5:
        return 0
    if len(word) < 8:
        return 1
    return 2


def deletions(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to ``depth`` letters of ``word`` (itself included)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


# Inflections and derivations the light stemmer leaves apart, longest first: Spanish
# tenses and persons ("costará", "invierten", "contratamos", "invirtió"), English agent
# and action nouns ("investor", "expansion"), and Spanish ones ("inversionista",
# "crecimiento"). ``related_stems`` strips them only to look the rest up in the region's
# vocabulary, so a rare form of a known word is read without the stemmer merging words.
_INFLECTIONS = tuple(
    sorted(
        """
        aremos eremos iremos ariamos eriamos iriamos abamos iamos aramos ieramos
        aran eran iran arian erian irian aban ian aron ieron iendo ando yendo
        ara era ira aria eria iria aba ia amos emos imos ado ada ados adas ido ida idos
        idas io en as es a e o
        """.split(),
        key=len,
        reverse=True,
    )
)
# Derivations, which leave a longer stem: "investor" is "invest", "player" not "playa".
_DERIVATIONS = tuple(
    sorted(
        """
        ings ing ed ers er ors or ments ment ations ation iones ions ion ists ist ismo
        amiento imiento amientos imientos miento mientos ista istas acion aciones icion
        iciones
        """.split(),
        key=len,
        reverse=True,
    )
)
# The stressed stem vowel of Spanish verbs: "invierte"/"invirtiendo" for "invertir",
# "pide" for "pedir", "puede"/"pudo" for "poder", "duerme"/"durmiendo" for "dormir".
_STEM_VOWELS = (("ie", "e"), ("ue", "o"), ("i", "e"), ("u", "o"))
# A noun's stem as its verb's: "invers(ión)"/"invert(ir)", "expans(ión)"/"expand(ir)".
_DERIVED = (("rs", "rt"), ("ns", "nd"))


def related_stems(word: str) -> list[str]:
    """Stems a word may share with another form of it, best guess first.

    ``stem`` folds regular plurals and the commonest verb endings; this goes further,
    for a word whose stem the vocabulary does not know: it strips one more inflection or
    derivation ("costara" -> "cost", "invierten" -> "invert", "investor" -> "invest",
    "inversionista" -> "inversion"), unifies the stem vowel that Spanish verbs change
    when stressed or before "-iendo" ("invirtiendo" -> "invert", "durmiendo" -> "dorm"),
    and a noun's ending with its verb's ("invers(ión)" -> "invert(ir)"). The caller keeps
    the first candidate its vocabulary knows.
    """
    if len(word) < 5 or not word.isalpha():
        return []
    bases = [word[: -len(e)] for e in _INFLECTIONS if word.endswith(e) and len(word) - len(e) >= 4]
    # A long derivational ending leaves a root of four letters ("crec-imiento"), a short
    # one five ("invest-or", not "play-er").
    bases += [
        word[: -len(e)]
        for e in _DERIVATIONS
        if word.endswith(e) and len(word) - len(e) >= (4 if len(e) >= 5 else 5)
    ]
    found: list[str] = []
    for base in bases:
        for candidate in (base, stem(base)):
            forms = [candidate]
            # The last stem vowel, as the infinitive has it.
            for old, new in _STEM_VOWELS:
                at = candidate.rfind(old)
                if at > 0 and at >= len(candidate) - 4:
                    forms.append(candidate[:at] + new + candidate[at + len(old) :])
            for form in list(forms):
                for old, new in _DERIVED:
                    if form.endswith(old) and len(form) > 4:
                        forms.append(form[: -len(old)] + new)
            for form in forms:
                if len(form) >= 4 and form not in found:
                    found.append(form)
    return found
