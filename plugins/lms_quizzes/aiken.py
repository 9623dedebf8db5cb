"""The Aiken format (Moodle's simplest question format), parsed without touching the database.

    Thủ đô của Việt Nam là thành phố nào?
    A. Hà Nội
    B) Huế
    ANSWER: A

Lecturers write these files by hand in Word or Notepad, so the parser is built to explain rather
than to reject: it reads the whole text, keeps every well-formed question and reports *every*
problem with its line number and what was expected there, in Vietnamese and English. Nothing here
writes anywhere, so a preview and the real import see exactly the same result.

Rules (a superset of Moodle's):

* question text is one or more lines (blank lines inside it are kept as paragraph breaks);
* options are ``X) text`` or ``X. text`` with ``X`` a capital letter A-Z, at least two;
* ``ANSWER: X`` (or ``ĐÁP ÁN: X``, any letter case) ends the question;
* blank lines between questions are optional after ``ANSWER``; a blank line after the options
  followed by text means the question lacked its ``ANSWER`` line and a new question starts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: ``A) text`` or ``A. text``; the text may be missing so that the error can say so.
OPTION_RE = re.compile(r"^([A-Z])[.)](?:[ \t]+(.*))?$")
ANSWER_RE = re.compile(r"^(?:ANSWER|ĐÁP[ \t]+ÁN)[ \t]*:(.*)$", re.IGNORECASE)
_ANSWER_VALUE = re.compile(r"^([A-Za-z])[.)]?$")


class ErrorCode(str, Enum):
    """Stable codes, so that clients (and tests) need not match on message wording."""

    ENCODING = "encoding"
    NO_QUESTIONS = "no_questions"
    MISSING_QUESTION_TEXT = "missing_question_text"
    EMPTY_OPTION = "empty_option"
    DUPLICATE_LETTER = "duplicate_letter"
    UNEXPECTED_LINE = "unexpected_line"
    MISSING_ANSWER = "missing_answer"
    MISSING_OPTIONS = "missing_options"
    TOO_FEW_OPTIONS = "too_few_options"
    BAD_ANSWER = "bad_answer"
    UNKNOWN_ANSWER_LETTER = "unknown_answer_letter"
    ANSWER_WITHOUT_QUESTION = "answer_without_question"


@dataclass(frozen=True)
class AikenError:
    line: int
    code: ErrorCode
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code.value, "message": self.message,
                "message_en": self.message_en}


@dataclass(frozen=True)
class AikenOption:
    letter: str
    text: str
    line: int


@dataclass(frozen=True)
class AikenQuestion:
    line: int
    text: str
    options: tuple[AikenOption, ...]
    answer: str

    @property
    def correct_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.letter == self.answer)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "answer": self.answer,
                "options": [{"letter": o.letter, "text": o.text, "line": o.line}
                            for o in self.options]}


@dataclass(frozen=True)
class AikenResult:
    questions: tuple[AikenQuestion, ...]
    errors: tuple[AikenError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _letters(options: Iterable[AikenOption]) -> str:
    return ", ".join(o.letter for o in options)


@dataclass
class _Block:
    """The question being read: where it started, its text lines and options so far."""

    line: int
    text: list[str] = field(default_factory=list)
    options: list[AikenOption] = field(default_factory=list)
    broken: bool = False  # an error was reported inside it: it is not kept
    skipped: bool = False  # a line of it was dropped: counting its options would mislead
    last: int = 0  # its last non-blank line, where a missing end is reported


class _Parser:
    def __init__(self) -> None:
        self.questions: list[AikenQuestion] = []
        self.errors: list[AikenError] = []
        self.block: _Block | None = None
        self.gap = False  # a blank line since the last option

    def err(self, line: int, code: ErrorCode, vi: str, en: str) -> None:
        self.errors.append(AikenError(line, code, vi, en))
        if self.block is not None:
            self.block.broken = True

    # --- one line at a time ---------------------------------------------------------------

    def start(self, number: int, text: list[str]) -> _Block:
        self.block = _Block(number, text, last=number)
        self.gap = False
        return self.block

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        block = self.block
        if "\x00" in line:
            self.err(
                number, ErrorCode.ENCODING,
                f"Dòng {number}: có ký tự NUL (\\0), thường do tệp không phải văn bản UTF-8; "
                "cần văn bản thuần UTF-8.",
                f"Line {number}: contains a NUL character (\\0), usually because the file is "
                "not UTF-8 text; expected plain UTF-8 text.",
            )
            if block is not None:
                block.skipped = True
            return
        if block is not None and line:
            block.last = number
        if not line:
            if block is not None:
                if block.options:
                    self.gap = True
                else:
                    block.text.append("")
            return
        answer = ANSWER_RE.match(line)
        if answer:
            self.answer(number, answer.group(1).strip())
            return
        option = OPTION_RE.match(line)
        if option:
            self.option(number, option.group(1), (option.group(2) or "").strip())
            return
        if block is None:
            self.start(number, [line])
        elif not block.options:
            block.text.append(line)
        elif self.gap:
            self.missing_answer(block)
            self.start(number, [line])
        else:
            self.err(
                number, ErrorCode.UNEXPECTED_LINE,
                f"Dòng {number}: cần một phương án dạng «X) …» hoặc «X. …» (X là chữ cái in hoa) "
                f"hoặc dòng «ANSWER: X» kết thúc câu hỏi ở dòng {block.line}, "
                f"nhưng gặp: «{_clip(line)}».",
                f"Line {number}: expected an option «X) …» or «X. …» (X a capital letter) "
                f"or the «ANSWER: X» line ending the question on line {block.line}, "
                f"found: «{_clip(line)}».",
            )
            block.skipped = True

    def option(self, number: int, letter: str, text: str) -> None:
        if self.block is None:
            self.start(number, [])
            self.err(
                number, ErrorCode.MISSING_QUESTION_TEXT,
                f"Dòng {number}: phương án {letter} không có nội dung câu hỏi phía trên; "
                "cần (các) dòng nội dung câu hỏi trước các phương án.",
                f"Line {number}: option {letter} has no question text above it; "
                "expected the question's text line(s) before its options.",
            )
        block = self.block
        assert block is not None
        self.gap = False
        previous = next((o for o in block.options if o.letter == letter), None)
        if previous is not None:
            self.err(
                number, ErrorCode.DUPLICATE_LETTER,
                f"Dòng {number}: chữ cái {letter} đã dùng cho phương án ở dòng {previous.line}; "
                "mỗi phương án cần một chữ cái khác nhau.",
                f"Line {number}: letter {letter} is already used by the option on line "
                f"{previous.line}; expected a different letter for each option.",
            )
            block.skipped = True
            return
        if not text:
            self.err(
                number, ErrorCode.EMPTY_OPTION,
                f"Dòng {number}: phương án {letter} để trống; cần nội dung sau «{letter}) » "
                f"hoặc «{letter}. ».",
                f"Line {number}: option {letter} is empty; expected text after «{letter}) » "
                f"or «{letter}. ».",
            )
        block.options.append(AikenOption(letter, text, number))

    def answer(self, number: int, value: str) -> None:
        block = self.block
        if block is None:
            self.errors.append(AikenError(
                number, ErrorCode.ANSWER_WITHOUT_QUESTION,
                f"Dòng {number}: dòng đáp án không thuộc câu hỏi nào; cần nội dung câu hỏi và "
                "các phương án phía trên.",
                f"Line {number}: this answer line belongs to no question; expected question "
                "text and options above it.",
            ))
            return
        match = _ANSWER_VALUE.match(value)
        letter = match.group(1).upper() if match else ""
        if not match:
            self.err(
                number, ErrorCode.BAD_ANSWER,
                f"Dòng {number}: sau «ANSWER:» cần đúng một chữ cái của phương án đúng, "
                f"nhưng gặp: «{_clip(value)}».",
                f"Line {number}: expected exactly one letter (the correct option) after "
                f"«ANSWER:», found: «{_clip(value)}».",
            )
        if block.skipped:
            pass  # the dropped line was reported; guessing about the rest would only add noise
        elif not block.options:
            self.err(
                block.line, ErrorCode.TOO_FEW_OPTIONS,
                f"Dòng {block.line}: câu hỏi chưa có phương án nào trước dòng đáp án "
                f"(dòng {number}); cần ít nhất 2 phương án «A) …», «B) …».",
                f"Line {block.line}: the question has no options before its answer line "
                f"(line {number}); expected at least 2 options «A) …», «B) …».",
            )
        elif len(block.options) < 2:
            self.err(
                block.line, ErrorCode.TOO_FEW_OPTIONS,
                f"Dòng {block.line}: câu hỏi chỉ có 1 phương án; cần ít nhất 2.",
                f"Line {block.line}: the question has only 1 option; expected at least 2.",
            )
        if letter and block.options and not block.skipped \
                and letter not in {o.letter for o in block.options}:
            self.err(
                number, ErrorCode.UNKNOWN_ANSWER_LETTER,
                f"Dòng {number}: đáp án {letter} không có trong các phương án của câu hỏi "
                f"({_letters(block.options)}); cần một trong các chữ cái đó.",
                f"Line {number}: answer {letter} is not one of the question's options "
                f"({_letters(block.options)}); expected one of those letters.",
            )
        self.close(letter)

    def missing_answer(self, block: _Block) -> None:
        last = block.options[-1].line
        self.err(
            last, ErrorCode.MISSING_ANSWER,
            f"Dòng {last}: câu hỏi ở dòng {block.line} thiếu dòng đáp án; cần dòng "
            "«ANSWER: X» ngay sau phương án cuối cùng.",
            f"Line {last}: the question on line {block.line} has no answer line; expected "
            "«ANSWER: X» right after its last option.",
        )
        self.block = None

    def close(self, letter: str) -> None:
        block = self.block
        assert block is not None
        text = "\n".join(block.text).strip("\n")
        if not block.broken and text:
            self.questions.append(AikenQuestion(block.line, text, tuple(block.options), letter))
        self.block = None
        self.gap = False

    def finish(self) -> AikenResult:
        block = self.block
        if block is not None:
            if block.options:
                self.missing_answer(block)
            else:
                last_line = block.last
                self.err(
                    last_line, ErrorCode.MISSING_OPTIONS,
                    f"Dòng {last_line}: câu hỏi ở dòng {block.line} kết thúc mà chưa có phương án "
                    "và dòng đáp án; cần các phương án «A) …», «B) …» rồi «ANSWER: X».",
                    f"Line {last_line}: the question on line {block.line} ends without options "
                    "or an answer line; expected options «A) …», «B) …» then «ANSWER: X».",
                )
        if not self.questions and not self.errors:
            self.errors.append(AikenError(
                1, ErrorCode.NO_QUESTIONS,
                "Không tìm thấy câu hỏi nào; cần nội dung câu hỏi, các phương án và dòng "
                "«ANSWER: X».",
                "No questions found; expected question text, options and an «ANSWER: X» line.",
            ))
        self.errors.sort(key=lambda e: e.line)  # stable: same-line errors keep their order
        return AikenResult(tuple(self.questions), tuple(self.errors))


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode(data: bytes) -> tuple[str | None, AikenError | None]:
    """UTF-8 with or without a BOM; anything else is reported with the line it breaks on."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, AikenError(
            line, ErrorCode.ENCODING,
            f"Dòng {line}: tệp không phải UTF-8; cần lưu lại với bảng mã UTF-8.",
            f"Line {line}: the file is not UTF-8; expected UTF-8 text (save it again as UTF-8).",
        )


def parse_aiken(source: str | bytes) -> AikenResult:
    """Read Aiken text and return every well-formed question and every error found."""
    if isinstance(source, bytes):
        text, error = decode(source)
        if text is None:
            assert error is not None
            return AikenResult((), (error,))
        source = text
    source = unicodedata.normalize("NFC", source.removeprefix("\ufeff"))
    parser = _Parser()
    for number, raw in enumerate(_LINE_BREAK.split(source), start=1):
        parser.feed(number, raw)
    return parser.finish()


def representable(question: AikenQuestion) -> bool:
    """Aiken has no escaping: a text line that looks like an option or an answer line, or an
    option spanning lines, cannot be written so that it reads back the same."""
    lines = question.text.split("\n")
    return (
        bool(question.text.strip())
        and "\r" not in question.text and "\x00" not in question.text
        and all(ln == ln.strip() and not OPTION_RE.match(ln) and not ANSWER_RE.match(ln)
                for ln in lines)
        and len(question.options) >= 2
        and all(o.text and o.text == o.text.strip() and not _LINE_BREAK.search(o.text)
                and "\x00" not in o.text for o in question.options)
        and len({o.letter for o in question.options}) == len(question.options)
        and question.answer in {o.letter for o in question.options}
    )


def to_aiken(questions: Iterable[AikenQuestion]) -> str:
    """Write questions back as Aiken text (what ``parse_aiken`` reads), one blank line apart.

    Raises ``ValueError`` for a question Aiken cannot express (see ``representable``) instead of
    writing a file that would read back differently.
    """
    parts = []
    for q in questions:
        if not representable(q):
            raise ValueError(f"question on line {q.line} cannot be written as Aiken")
        lines = [q.text, *(f"{o.letter}. {o.text}" for o in q.options), f"ANSWER: {q.answer}"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
