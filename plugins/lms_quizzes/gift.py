"""Moodle's GIFT format, read and written without touching the database.

    $CATEGORY: Chuyển đổi số/Chương 1

    ::Thủ đô::Thủ đô của Việt Nam là {=Hà Nội#Chính xác! ~Huế#Cố đô ~%50%Thăng Long}.

    ::Số pi::[markdown]Giá trị của **π** (2 chữ số thập phân)? {#3.14:0.005}

Like the Aiken reader, ``parse`` reads the whole file and reports *every* problem with its
1-based line, a stable code and what was expected, in Vietnamese then English; the caller
refuses the whole file when there is any error, so nothing is ever half-imported. Each parsed
question is already in the canonical shape of ``qtypes`` and passed ``qtypes.validate``, whose
codes (``too_few_pairs``, ``single_needs_one_full``...) appear here too, at the line of the
answer concerned.

What is read (Moodle's rules, from its documentation and importer):

* questions are separated by blank lines; lines starting with ``//`` are comments;
* ``$CATEGORY: a/b/c`` switches the category for the questions after it (a path, reported with
  each question; ``//`` inside a name is a literal ``/``; Moodle's ``$course$/top/`` prefix is
  dropped; an empty ``$CATEGORY:`` goes back to the category the import targets);
* ``::name::`` (optional: else the text's first line), then ``[markdown]``, ``[html]``,
  ``[plain]`` or ``[moodle]`` (the default, as in Moodle) before the text;
* the answer block ``{...}`` may stand anywhere in the text: in the middle it becomes the
  ``_____`` blank (``qtypes.BLANK``) and the writer puts the block back at the first blank;
* ``~`` wrong / ``=`` right answers, ``%50%`` / ``%-100%`` weights, ``#`` answer feedback,
  ``####`` general feedback, multi-line questions and answers;
* escapes ``\\~ \\= \\# \\{ \\} \\:``, ``\\\\`` for a backslash and ``\\n`` for a line break;
* types: ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` (any letter case; ``#wrong#right`` feedback),
  short answer ``{=a =%50%b}`` (``*`` wildcard), numerical ``{#3.14:0.01}``, ``{#1..5}``,
  ``{#=%100%3.14:0.01 =%50%3.1:0.1 ~#feedback for any other number}``, matching
  ``{=a -> b =c -> d = -> distractor}``, essay ``{}``, description (no braces), multiple choice
  with ``=`` (single choice) or only ``~`` answers with weights (multiple response).

Where we are stricter or looser than Moodle, on purpose:

* a second ``{`` or ``}`` in a question is an error (usually two questions without the blank
  line between them), where Moodle would silently keep it in the text;
* ``[word]`` at the start of a question's text must be a known format (``[moodle][Note] ...``
  writes literal brackets); in answers and feedback only the four formats are recognised, and a
  format different from the question's is an error since answers share the question's format;
* a weight may follow ``=`` as well (``=%50%``), numbers accept a decimal comma (``3,14``);
* matching pairs have no feedback: an unescaped ``#`` in a pair is an error.

Writing (``dump``) produces canonical GIFT that Moodle reads: names always written, each text
on one line (line breaks as ``\\n``), every special character escaped. Two extensions make
every question round-trip (``parse(dump(qs)) == qs``): ``\\>`` (written as ``-\\>`` where an
arrow in a short answer or a matching question's left side would be read as a matching pair)
and an explicit ``%100%``/``%0%`` weight or ``[format]`` before an answer that starts with
``%`` or ``[``. Options GIFT cannot express are not written (short answer case/accent
settings, essay word limits and template, ``shuffle_answers``; they come back as defaults),
nor is a description's general feedback (a description has no braces to hold it).
**Ordering questions have no GIFT syntax in Moodle and are not written**: ``export`` lists them
in ``skipped`` (with invalid questions) so the caller can tell the user; ``dump`` returns the
text alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from lms_quizzes import qtypes
from lms_quizzes.qtypes import BLANK, TEXT_FORMATS, parse_number

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Characters a backslash makes literal (``>`` is our extension, see the module docstring).
_ESCAPABLE = frozenset("~=#{}:\\>")
_ANY_FORMAT = re.compile(r"\[([A-Za-z]+)\]")
_KNOWN_FORMAT = re.compile(r"\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"\s*%([^%\s]{0,12})%")
_WEIGHT_VALUE = re.compile(r"-?\d{1,3}(?:[.,]\d+)?")
_CATEGORY = re.compile(r"\$CATEGORY:", re.IGNORECASE)
_CONTEXT = re.compile(r"\$[a-z]+\$")
_TRUE = ("T", "TRUE")
_FALSE = ("F", "FALSE")
_NUMBER_HINT_VI = "«3.14», «3.14:0.01» (giá trị:sai số) hoặc «1..5» (khoảng)"
_NUMBER_HINT_EN = "«3.14», «3.14:0.01» (value:tolerance) or «1..5» (range)"


class Code:
    """Stable error codes of the reader (plus the ``qtypes`` validation codes)."""

    ENCODING = "encoding"
    NO_QUESTIONS = "no_questions"
    UNCLOSED_NAME = "unclosed_name"
    UNCLOSED_BRACE = "unclosed_brace"
    UNEXPECTED_BRACE = "unexpected_brace"
    UNKNOWN_FORMAT = "unknown_format"
    FORMAT_MISMATCH = "format_mismatch"
    BAD_WEIGHT = "bad_weight"
    BAD_NUMBER = "bad_number"
    UNEXPECTED_TEXT = "unexpected_text"
    BAD_PAIR = "bad_pair"
    UNEXPECTED_FEEDBACK = "unexpected_feedback"


@dataclass(frozen=True)
class GiftError:
    line: int
    code: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message,
                "message_en": self.message_en}


@dataclass(frozen=True, eq=False)
class GiftQuestion:
    """A parsed question: where it starts, the category path it was filed under (empty: the
    category the import targets) and the canonical question dict."""

    line: int
    category: tuple[str, ...]
    question: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "category": list(self.category), **self.question}


@dataclass(frozen=True)
class GiftResult:
    questions: tuple[GiftQuestion, ...]
    errors: tuple[GiftError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Skipped:
    """A question ``export`` did not write: its position in the input, name and why."""

    index: int
    name: str
    code: str
    message: str
    message_en: str


@dataclass(frozen=True)
class GiftExport:
    text: str
    skipped: tuple[Skipped, ...]


# --- reading -------------------------------------------------------------------------------


class _Text:
    """Question characters after escapes: which of them may still be syntax (``live``) and
    the line each came from, so errors point at the right line of a multi-line question."""

    __slots__ = ("s", "live", "lines", "origin")

    def __init__(self, s: str, live: str, lines: list[int], origin: int) -> None:
        self.s, self.live, self.lines, self.origin = s, live, lines, origin

    def __str__(self) -> str:
        return self.s

    def __bool__(self) -> bool:
        return bool(self.s.strip())

    def line(self, i: int = 0) -> int:
        if not self.lines:
            return self.origin
        return self.lines[max(0, min(i, len(self.lines) - 1))]

    def cut(self, start: int, end: int | None = None) -> _Text:
        end = len(self.s) if end is None else end
        origin = self.lines[start] if start < len(self.lines) else self.line(len(self.s))
        return _Text(self.s[start:end], self.live[start:end], self.lines[start:end], origin)

    def find(self, token: str, start: int = 0) -> int:
        i = self.s.find(token, start)
        while i != -1 and "0" in self.live[i:i + len(token)]:
            i = self.s.find(token, i + 1)
        return i

    def rfind(self, token: str) -> int:
        i = self.s.rfind(token)
        while i != -1 and "0" in self.live[i:i + len(token)]:
            i = self.s.rfind(token, 0, i + len(token) - 1)
        return i

    def startswith(self, token: str) -> bool:
        return self.s.startswith(token) and "0" not in self.live[:len(token)]

    def strip(self) -> _Text:
        lead = len(self.s) - len(self.s.lstrip())
        return self.cut(lead, max(lead, len(self.s.rstrip())))

    def split_once(self, token: str) -> tuple[_Text, _Text | None]:
        i = self.find(token)
        return (self, None) if i < 0 else (self.cut(0, i), self.cut(i + len(token)))

    def split_markers(self, markers: str) -> tuple[_Text, list[tuple[str, _Text]]]:
        """The text before the first live marker, then each (marker, following text)."""
        cuts = [i for i, ch in enumerate(self.s) if ch in markers and self.live[i] == "1"]
        lead = self.cut(0, cuts[0] if cuts else len(self.s))
        pieces = [(self.s[c], self.cut(c + 1, cuts[k + 1] if k + 1 < len(cuts) else None))
                  for k, c in enumerate(cuts)]
        return lead, pieces


def _decode(lines: list[tuple[int, str]]) -> _Text:
    chars: list[str] = []
    live: list[str] = []
    where: list[int] = []
    for k, (number, raw) in enumerate(lines):
        if k:
            chars.append("\n")
            live.append("1")
            where.append(number)
        i = 0
        while i < len(raw):
            ch = raw[i]
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            if ch == "\\" and (nxt in _ESCAPABLE or nxt == "n") and nxt:
                chars.append("\n" if nxt == "n" else nxt)
                live.append("0")
                i += 2
            else:
                chars.append(ch)
                live.append("1")
                i += 1
            where.append(number)
    return _Text("".join(chars), "".join(live), where, lines[0][0] if lines else 1)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _QuestionError(Exception):
    """Stops reading one question after its first structural error."""


class _Reader:
    def __init__(self) -> None:
        self.questions: list[GiftQuestion] = []
        self.errors: list[GiftError] = []
        self.category: tuple[str, ...] = ()

    def err(self, line: int, code: str, vi: str, en: str) -> None:
        self.errors.append(GiftError(line, code, f"Dòng {line}: {vi}", f"Line {line}: {en}"))

    def fail(self, line: int, code: str, vi: str, en: str) -> None:
        self.err(line, code, vi, en)
        raise _QuestionError

    # --- blocks --------------------------------------------------------------------------

    def block(self, lines: list[tuple[int, str]]) -> None:
        lines = [(n, raw) for n, raw in lines if not raw.lstrip().startswith("//")]
        while lines and _CATEGORY.match(lines[0][1].strip()):
            rest = _CATEGORY.match(lines[0][1].strip())
            assert rest is not None
            self.category = _category_path(lines[0][1].strip()[rest.end():])
            lines = lines[1:]
        if not lines:
            return
        try:
            self.question(_decode(lines).strip())
        except _QuestionError:
            pass

    def question(self, t: _Text) -> None:
        if not t:
            return
        first = t.line(0)
        name = ""
        if t.startswith("::"):
            end = t.find("::", 2)
            if end < 0:
                self.fail(first, Code.UNCLOSED_NAME,
                          "tên câu hỏi mở bằng «::» nhưng không có «::» đóng; cần "
                          "«::tên câu hỏi::» rồi nội dung.",
                          "the question name opens with «::» but is never closed; expected "
                          "«::question name::» followed by the text.")
            name = str(t.cut(2, end)).strip()
            t = t.cut(end + 2).strip()
        opening, closing = t.find("{"), t.find("}")
        if opening < 0 and closing < 0:
            self.finish(first, name, *self.text(t, first), "description", [], {}, "", [])
            return
        self.braces(t, opening, closing)
        before, block, after = t.cut(0, opening), t.cut(opening + 1, closing), t.cut(closing + 1)
        joined = _Text(before.s + (BLANK if after else "") + after.s, "", [], first)
        text, fmt = self.text(joined, first)
        general = ""
        split = block.rfind("####")
        if split >= 0:
            general = self.field(block.cut(split + 4), fmt)
            block = block.cut(0, split)
        content = block.strip()
        qtype, answers, options, lines = self.answers(content, fmt)
        self.finish(first, name, text, fmt, qtype, answers, options, general, lines)

    def braces(self, t: _Text, opening: int, closing: int) -> None:
        if closing < 0:
            self.fail(t.line(opening), Code.UNCLOSED_BRACE,
                      "khối đáp án mở bằng «{» nhưng không có «}» đóng trước dòng trống; cần "
                      "«}» sau đáp án cuối (viết «\\{» nếu muốn giữ dấu ngoặc trong văn bản).",
                      "the answer block opened with «{» is not closed before the blank line; "
                      "expected «}» after the last answer (write «\\{» for a literal brace).")
        if opening < 0 or closing < opening:
            self.fail(t.line(closing), Code.UNEXPECTED_BRACE,
                      "gặp «}» mà chưa có «{» mở khối đáp án; cần «{» trước, hoặc viết «\\}».",
                      "found «}» with no «{» opening an answer block; expected «{» first, or "
                      "write «\\}».")
        again = t.find("{", opening + 1)
        if 0 <= again < closing:
            self.fail(t.line(again), Code.UNEXPECTED_BRACE,
                      "gặp «{» thứ hai bên trong khối đáp án; cần «}» đóng khối trước "
                      "(viết «\\{» nếu là ký tự thường).",
                      "found a second «{» inside the answer block; expected «}» closing the "
                      "block first (write «\\{» for a literal brace).")
        extra = min((i for i in (t.find("{", closing + 1), t.find("}", closing + 1)) if i >= 0),
                    default=-1)
        if extra >= 0:
            self.fail(t.line(extra), Code.UNEXPECTED_BRACE,
                      "mỗi câu hỏi chỉ có một khối đáp án «{…}»; cần một dòng trống giữa hai "
                      "câu hỏi (hoặc viết «\\{», «\\}» cho ký tự thường).",
                      "a question has only one answer block «{…}»; expected a blank line "
                      "between two questions (or «\\{», «\\}» for literal braces).")

    def text(self, t: _Text, line: int) -> tuple[str, str]:
        """The question text and its format (Moodle's default when none is given)."""
        s = t.s.strip()
        match = _ANY_FORMAT.match(s)
        if not match:
            return s, "moodle"
        fmt = match.group(1).lower()
        if fmt not in TEXT_FORMATS:
            self.fail(line, Code.UNKNOWN_FORMAT,
                      f"định dạng «[{match.group(1)}]» không được hỗ trợ; cần [markdown], "
                      "[html], [plain] hoặc [moodle] (viết «[moodle]» trước nếu dấu ngoặc "
                      "vuông là một phần của nội dung).",
                      f"format «[{match.group(1)}]» is not supported; expected [markdown], "
                      "[html], [plain] or [moodle] (put «[moodle]» first if the brackets are "
                      "part of the text).")
        return s[match.end():].strip(), fmt

    def field(self, t: _Text | None, fmt: str) -> str:
        """An answer or feedback text: may repeat the question's format, not change it."""
        if t is None:
            return ""
        s = t.s.strip()
        match = _KNOWN_FORMAT.match(s)
        if match:
            if match.group(1).lower() != fmt:
                self.fail(t.strip().line(0), Code.FORMAT_MISMATCH,
                          f"«{match.group(0)}» khác định dạng của câu hỏi «[{fmt}]»; phương án "
                          "và nhận xét dùng chung định dạng của câu hỏi.",
                          f"«{match.group(0)}» differs from the question's format «[{fmt}]»; "
                          "answers and feedback share the question's format.")
            s = s[match.end():].strip()
        return s

    def weight(self, t: _Text, default: float) -> tuple[float, _Text]:
        match = _WEIGHT.match(t.s)
        if not match:
            return default, t
        raw = match.group(1)
        value = float(raw.replace(",", ".")) if _WEIGHT_VALUE.fullmatch(raw) else None
        if value is None or not -100 <= value <= 100:
            self.fail(t.line(match.start(1)), Code.BAD_WEIGHT,
                      f"trọng số «%{raw}%» không hợp lệ; cần một số phần trăm từ -100 đến 100, "
                      "ví dụ «%50%» hoặc «%-100%».",
                      f"weight «%{raw}%» is not valid; expected a percentage from -100 to 100, "
                      "e.g. «%50%» or «%-100%».")
        return round(value / 100, qtypes.FRACTION_DIGITS), t.cut(match.end())

    # --- the answer block ----------------------------------------------------------------

    def answers(self, content: _Text, fmt: str):
        if not content.s:
            return "essay", [], {}, []
        if content.startswith("#"):
            return self.numerical(content.cut(1), fmt)
        if content.find("~") >= 0:
            return self.choice(content, fmt)
        if content.find("=") >= 0 and content.find("->") >= 0:
            return self.matching(content, fmt)
        head, rest = content.split_once("#")
        if head.s.strip().upper() in _TRUE + _FALSE:
            return self.true_false(head, rest, fmt)
        return self.short_answer(content, fmt)

    def lead(self, lead: _Text, expected_vi: str, expected_en: str) -> None:
        if lead:
            stripped = lead.strip()
            self.fail(stripped.line(0), Code.UNEXPECTED_TEXT,
                      f"gặp «{_clip(stripped.s)}» trước phương án đầu tiên; cần {expected_vi}.",
                      f"found «{_clip(stripped.s)}» before the first answer; expected "
                      f"{expected_en}.")

    def choice(self, content: _Text, fmt: str):
        lead, pieces = content.split_markers("~=")
        self.lead(lead, "«~» (sai) hoặc «=» (đúng) trước mỗi phương án",
                  "«~» (wrong) or «=» (right) before each answer")
        answers, lines = [], []
        for marker, piece in pieces:
            lines.append(piece.line(0))
            fraction, piece = self.weight(piece, 1.0 if marker == "=" else 0.0)
            text, feedback = piece.split_once("#")
            answers.append({"text": self.field(text, fmt), "fraction": fraction,
                            "feedback": self.field(feedback, fmt)})
        single = any(marker == "=" for marker, _ in pieces)
        return ("single_choice" if single else "multiple_response"), answers, {}, lines

    def true_false(self, head: _Text, rest: _Text | None, fmt: str):
        correct = head.s.strip().upper() in _TRUE
        wrong, right = rest.split_once("#") if rest is not None else (None, None)
        wrong_text, right_text = self.field(wrong, fmt), self.field(right, fmt)
        answers = [{"value": True, "feedback": right_text if correct else wrong_text},
                   {"value": False, "feedback": wrong_text if correct else right_text}]
        return "true_false", answers, {"correct": correct}, []

    def short_answer(self, content: _Text, fmt: str):
        lead, pieces = content.split_markers("=")
        if lead:  # Moodle reads a first answer written without "="
            pieces.insert(0, ("=", lead))
        answers, lines = [], []
        for _, piece in pieces:
            lines.append(piece.line(0))
            fraction, piece = self.weight(piece, 1.0)
            text, feedback = piece.split_once("#")
            answers.append({"text": self.field(text, fmt), "fraction": fraction,
                            "feedback": self.field(feedback, fmt)})
        return "short_answer", answers, {}, lines

    def matching(self, content: _Text, fmt: str):
        lead, pieces = content.split_markers("=")
        self.lead(lead, "«=» trước mỗi cặp «vế trái -> vế phải»",
                  "«=» before each «left -> right» pair")
        answers, lines = [], []
        for _, piece in pieces:
            line = piece.strip().line(0)
            lines.append(line)
            arrow = piece.find("->")
            if arrow < 0:
                self.fail(line, Code.BAD_PAIR,
                          f"cặp «{_clip(piece.s)}» thiếu «->»; cần «=vế trái -> vế phải».",
                          f"pair «{_clip(piece.s)}» has no «->»; expected «=left -> right».")
            if piece.find("#") >= 0:
                self.fail(piece.line(piece.find("#")), Code.UNEXPECTED_FEEDBACK,
                          "câu hỏi ghép đôi không có nhận xét cho từng cặp; viết «\\#» nếu "
                          "dấu # là một phần của nội dung.",
                          "matching pairs have no feedback; write «\\#» for a literal #.")
            answers.append({"text": self.field(piece.cut(0, arrow), fmt),
                            "match": piece.cut(arrow + 2).s.strip()})
        return "matching", answers, {}, lines

    def numerical(self, body: _Text, fmt: str):
        lead, pieces = body.split_markers("=~")
        if lead:
            pieces.insert(0, ("=", lead))
        answers, lines = [], []
        for marker, piece in pieces:
            line = piece.strip().line(0)
            lines.append(line)
            if marker == "~":
                value, feedback = piece.split_once("#")
                if value.s.strip() not in ("", "*"):
                    self.fail(line, Code.BAD_NUMBER,
                              f"sau «~» chỉ được có «#nhận xét» cho mọi số khác, gặp "
                              f"«{_clip(value.s.strip())}».",
                              f"after «~» only «#feedback» for any other number is allowed, "
                              f"found «{_clip(value.s.strip())}».")
                answers.append({"kind": "any", "fraction": 0.0,
                                "feedback": self.field(feedback, fmt)})
                continue
            fraction, piece = self.weight(piece, 1.0)
            spec, feedback = piece.split_once("#")
            answer = self.number_spec(spec, line)
            answer.update(fraction=fraction, feedback=self.field(feedback, fmt))
            answers.append(answer)
        return "numerical", answers, {}, lines

    def number_spec(self, spec: _Text, line: int) -> dict[str, Any]:
        s = spec.s.strip()
        colon = spec.s.find(":")  # escaped or not: a number has no colon of its own
        if s == "*":
            return {"kind": "any"}
        if ".." in s:
            low, high = (parse_number(x) for x in s.split("..", 1))
            if low is not None and high is not None:
                return {"kind": "range", "min": low, "max": high}
        elif colon >= 0:
            value, tolerance = parse_number(spec.s[:colon]), parse_number(spec.s[colon + 1:])
            if value is not None and tolerance is not None:
                return {"kind": "tolerance", "value": value, "tolerance": tolerance}
        else:
            value = parse_number(s)
            if value is not None:
                return {"kind": "tolerance", "value": value, "tolerance": 0.0}
        self.fail(line, Code.BAD_NUMBER,
                  f"đáp án số «{_clip(s)}» không đọc được; cần {_NUMBER_HINT_VI}.",
                  f"numerical answer «{_clip(s)}» cannot be read; expected {_NUMBER_HINT_EN}.")
        raise AssertionError  # unreachable: fail raises

    # --- the question --------------------------------------------------------------------

    def finish(self, line: int, name: str, text: str, fmt: str, qtype: str,
               answers: list[dict[str, Any]], options: dict[str, Any], general: str,
               answer_lines: list[int]) -> None:
        question = qtypes.normalise({
            "type": qtype, "name": name, "text": text, "text_format": fmt, "answers": answers,
            "options": options, "general_feedback": general,
        })
        problems = qtypes.validate(question)
        for p in problems:
            where = answer_lines[p.index] if p.index is not None \
                and p.index < len(answer_lines) else line
            self.err(where, p.code, p.message, p.message_en)
        if not problems:
            self.questions.append(GiftQuestion(line, self.category, question))


def _category_path(raw: str) -> tuple[str, ...]:
    """``a/b//c`` -> ("a", "b/c"); Moodle's ``$course$/top/`` context prefix is dropped."""
    parts = [p.replace("//", "/").strip() for p in re.split(r"(?<!/)/(?!/)", raw.strip())]
    parts = [p for p in parts if p]
    if parts and _CONTEXT.fullmatch(parts[0]):
        parts = parts[1:]
        if parts and parts[0] == "top":
            parts = parts[1:]
    return tuple(parts)


def decode(data: bytes) -> tuple[str | None, GiftError | None]:
    """UTF-8 with or without a BOM; anything else is reported with the line it breaks on."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, GiftError(
            line, Code.ENCODING,
            f"Dòng {line}: tệp không phải UTF-8; cần lưu lại với bảng mã UTF-8.",
            f"Line {line}: the file is not UTF-8; expected UTF-8 text (save it again as UTF-8).")


def parse(source: str | bytes) -> GiftResult:
    """Read GIFT text and return every valid question and every error found."""
    if isinstance(source, bytes):
        text, error = decode(source)
        if text is None:
            assert error is not None
            return GiftResult((), (error,))
        source = text
    source = unicodedata.normalize("NFC", source.removeprefix("\ufeff"))
    reader = _Reader()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(_LINE_BREAK.split(source), start=1):
        if "\x00" in raw:
            reader.err(number, Code.ENCODING,
                       "có ký tự NUL (\\0), thường do tệp không phải văn bản UTF-8; cần văn bản "
                       "thuần UTF-8.",
                       "contains a NUL character (\\0), usually because the file is not UTF-8 "
                       "text; expected plain UTF-8 text.")
            raw = raw.replace("\x00", "")
        if raw.strip():
            block.append((number, raw))
        elif block:
            reader.block(block)
            block = []
    if block:
        reader.block(block)
    if not reader.questions and not reader.errors:
        reader.err(1, Code.NO_QUESTIONS,
                   "không tìm thấy câu hỏi nào; cần ít nhất một câu hỏi, ví dụ "
                   "«Thủ đô của Việt Nam là {=Hà Nội ~Huế}».",
                   "no questions found; expected at least one question, e.g. "
                   "«Thủ đô của Việt Nam là {=Hà Nội ~Huế}».")
    errors = sorted(reader.errors, key=lambda e: e.line)  # stable: same-line order kept
    return GiftResult(tuple(reader.questions), tuple(errors))


# --- writing -------------------------------------------------------------------------------


def _esc(text: str, *, arrows: bool = False) -> str:
    text = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    text = text.replace("\n", "\\n")
    return text.replace("->", "-\\>") if arrows else text


def _field(text: str, fmt: str, *, arrows: bool = False) -> str:
    """An answer or feedback: the question's format is repeated only where the text itself
    starts like a format marker, so that the reader does not take it for one."""
    prefix = f"[{fmt}]" if _KNOWN_FORMAT.match(text) else ""
    return prefix + _esc(text, arrows=arrows)


def _percent(fraction: float) -> str:
    out = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _number(value: float) -> str:
    out = repr(float(value))
    return out[:-2] if out.endswith(".0") else out


def _feedback(answer: Mapping[str, Any], fmt: str, *, arrows: bool = False) -> str:
    feedback = answer.get("feedback", "")
    return "#" + _field(feedback, fmt, arrows=arrows) if feedback else ""


def _general(q: Mapping[str, Any]) -> str:
    general = q["general_feedback"]
    return "####" + _field(general, q["text_format"]) if general else ""


def _lines(items: list[str], general: str, opening: str = "{") -> str:
    body = "".join(f"\t{item}\n" for item in items)
    return f"{opening}\n{body}" + (f"\t{general}\n" if general else "") + "}"


def _choice_block(q: Mapping[str, Any]) -> str:
    fmt, single = q["text_format"], q["type"] == "single_choice"
    items = []
    for a in q["answers"]:
        f, text = a["fraction"], a["text"]
        if single and f == 1.0:
            marker = "=%100%" if text.startswith("%") else "="
        else:
            marker = "~" if f == 0 and not text.startswith("%") else f"~%{_percent(f)}%"
        items.append(marker + _field(text, fmt) + _feedback(a, fmt))
    return _lines(items, _general(q))


def _short_answer_block(q: Mapping[str, Any]) -> str:
    fmt, items = q["text_format"], []
    for a in q["answers"]:
        f, text = a["fraction"], a["text"]
        weight = "" if f == 1.0 and not text.startswith("%") else f"%{_percent(f)}%"
        items.append("=" + weight + _field(text, fmt, arrows=True)
                     + _feedback(a, fmt, arrows=True))
    return _lines(items, _general(q))


def _numerical_block(q: Mapping[str, Any]) -> str:
    fmt, items = q["text_format"], []
    for a in q["answers"]:
        f = a["fraction"]
        weight = "" if f == 1.0 else f"%{_percent(f)}%"
        if a["kind"] == "any":
            head = "~" if f == 0 else f"={weight}*"
        elif a["kind"] == "range":
            head = f"={weight}{_number(a['min'])}..{_number(a['max'])}"
        else:
            head = f"={weight}{_number(a['value'])}:{_number(a['tolerance'])}"
        items.append(head + _feedback(a, fmt))
    return _lines(items, _general(q), "{#")


def _matching_block(q: Mapping[str, Any]) -> str:
    fmt = q["text_format"]
    items = [f"={_field(a['text'], fmt, arrows=True)} -> {_esc(a['match'])}"
             for a in q["answers"]]
    return _lines(items, _general(q))


def _true_false_block(q: Mapping[str, Any]) -> str:
    fmt, correct = q["text_format"], q["options"]["correct"]
    right = next(a for a in q["answers"] if a["value"] is correct)["feedback"]
    wrong = next(a for a in q["answers"] if a["value"] is not correct)["feedback"]
    out = "{" + ("TRUE" if correct else "FALSE")
    if wrong or right:
        out += "#" + _field(wrong, fmt)
    if right:
        out += "#" + _field(right, fmt)
    return out + _general(q) + "}"


_BLOCKS = {
    "single_choice": _choice_block,
    "multiple_response": _choice_block,
    "true_false": _true_false_block,
    "short_answer": _short_answer_block,
    "numerical": _numerical_block,
    "matching": _matching_block,
    "essay": lambda q: "{" + _general(q) + "}",
}


def write_question(question: Mapping[str, Any]) -> str:
    """One valid, normalised question as GIFT (no category line, no trailing blank line)."""
    q = question
    fmt, text = q["text_format"], q["text"]
    head = "::" + _esc(q["name"]) + "::"
    if fmt != "moodle" or _ANY_FORMAT.match(text):
        head += f"[{fmt}]"
    if q["type"] == "description":
        return head + _esc(text)
    block = _BLOCKS[q["type"]](q)
    at = text.find(BLANK)
    if at >= 0 and text[at + len(BLANK):].strip():
        return head + _esc(text[:at]) + block + _esc(text[at + len(BLANK):])
    return head + _esc(text) + " " + block


def _category_line(path: tuple[str, ...]) -> str:
    return "$CATEGORY: " + "/".join(p.replace("/", "//") for p in path)


def export(questions: Iterable[Mapping[str, Any]]) -> GiftExport:
    """GIFT text for ``questions`` (canonical dicts, each optionally with ``"category"``: a
    list of names from the root), and the questions that could not be written."""
    parts: list[str] = []
    skipped: list[Skipped] = []
    current: tuple[str, ...] = ()
    for index, raw in enumerate(questions):
        q = qtypes.normalise(raw)
        name = q["name"] if isinstance(q["name"], str) else ""
        if q["type"] == "ordering":
            skipped.append(Skipped(
                index, name, "no_gift_syntax",
                "Câu hỏi sắp xếp không có cú pháp GIFT trong Moodle nên không được xuất.",
                "Ordering questions have no GIFT syntax in Moodle, so they are not exported."))
            continue
        problems = qtypes.validate(q)
        if problems:
            skipped.append(Skipped(index, name, "invalid",
                                   "Câu hỏi không hợp lệ: " + problems[0].message,
                                   "The question is not valid: " + problems[0].message_en))
            continue
        category = tuple(str(c).strip() for c in raw.get("category") or () if str(c).strip())
        if category != current:
            parts.append(_category_line(category))
            current = category
        parts.append(write_question(q))
    text = "\n\n".join(parts) + "\n" if parts else ""
    return GiftExport(text, tuple(skipped))


def dump(questions: Iterable[Mapping[str, Any]]) -> str:
    """GIFT text for ``questions``; see ``export`` for the list of questions left out."""
    return export(questions).text
