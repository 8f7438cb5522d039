"""The interactive guided diagnosis: intake, one question at a time, commands at any prompt.

What people read comes from the presentation layer (present/): question texts with
help, answers as numbered options, WHY/HOW/WHY NOT, the fix steps, the handoff and the
recap, in English or Russian, wrapped to the terminal. Input comes from cli.console
(line editing and completion on a terminal, plain lines from a pipe or CliRunner). End
of input means quit (the case is saved and resumable); Ctrl-C and SIGTERM record a
`quit` event too (the case is paused) and exit 130/143. Every answer is stored by the
desk as it is given. A store that fails (a full disk) is never an invalid answer: the
session stops with exit 4, everything before the failed step saved, and says how to
resume.

Commands at any prompt: why, how, whynot FAULT, back, unknown, recap, help, escalate,
ids, quit. To answer a text question with a word that is also a command, prefix it
with '='.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.desk import LiveCase
from cases.store import StoreError
from cli.console import Terminal
from cli.intake import Intake, check_complaint, pick
from cli.options import ids_option, open_case_store, store_option, terminal_desk, terminal_user
from cli.prompts import Leave, Prompts
from cli.signals import Terminated
from engine.escalation import escalation
from engine.session import Ask, Conclude, Done, Escalate, ProposeFix, reached_advice
from present.explain import how_document, why_document
from present.handoff import handoff_document
from present.i18n import words
from present.question import (
    ask_view,
    banner,
    conclusion_view,
    done_message,
    fix_view,
)
from present.recap import recap_document
from present.say import said_texts
from present.text import (
    advice_lines,
    banner_lines,
    conclusion_lines,
    fix_lines,
    question_lines,
    said_lines,
)
from rules.errors import InvalidInput
from rules.knowledge import KnowledgeBase


class Guide(Prompts):
    """One line's session on a live case, at a terminal."""

    # ---- steps --------------------------------------------------------------------------

    def ask(self, step: Ask) -> Escalate | None:
        """One question until it is answered (or a command moves on); an escalation."""
        question = step.question
        view = ask_view(step, self.live.line, self.lang)
        self.term.show(question_lines(view, self.term.width, self.lang, ids=self.term.ids))
        self.term.choices = [o.label for o in view.options]
        w = self.w
        while True:
            raw = self.read("> ")
            if not raw:
                self.term.say(w.t("Please answer, or type 'help'."), "warn")
                continue
            word = raw.split(" ", 1)[0].lower()
            if raw.startswith("="):
                raw = raw[1:]
            elif word == "why":
                self.doc(why_document(self.live.session, question.id))
                continue
            elif word == "back":
                self.back()
                return None
            elif word == "escalate":
                return self.agent_escalation(step)
            elif word == "unknown":
                raw = "unknown"
            elif self.command(raw, view.help or ""):
                continue
            value: Any = raw
            if view.options and value != "unknown":
                value = pick(raw, view.options)
                if value is None:
                    self.term.say(
                        w.t(
                            "Please give a number from 1 to {count} or one of: {names}",
                            count=len(view.options),
                            names=", ".join(o.label for o in view.options),
                        ),
                        "warn",
                    )
                    continue
            try:
                self.live.answer(question.id, value)
            except InvalidInput as err:
                self.term.say(w.t("Not a valid answer: {error}", error=err.render()), "warn")
                continue
            return None

    def back(self) -> None:
        try:
            undone = self.live.back()
        except InvalidInput as err:
            self.term.say(err.render(), "warn")
            return
        text = self.kb.questions[undone.question].text.get(self.lang)
        self.term.say(self.w.t("Took back the answer to “{question}”.", question=text), "muted")

    def agent_escalation(self, step: Ask | ProposeFix) -> Escalate:
        diag = step.diagnosis
        session = self.live.session
        top = diag.top.id if diag.top is not None and diag.top.certainty > 0 else None
        esc = escalation("agent", session.line, session.lang)
        return Escalate(esc, top, diag, final=session.line >= 4, advice=reached_advice(diag, top))

    def propose(self, step: ProposeFix) -> Escalate | None:
        fault = step.fault
        self.live.propose(fault.id, fault.certainty)
        view = fix_view(step, self.lang)
        self.term.show(fix_lines(view, self.term.width, self.lang, ids=self.term.ids))
        self.term.choices = [o.label for o in view.options]
        w = self.w
        asked = w.t("Did the fix work? (yes/no)")
        prompt = w.t("Did the fix work? (yes/no/later)") if step.optional else asked
        while True:
            raw = self.read(prompt + " > ")
            word = raw.split(" ", 1)[0].lower()
            worked = pick(raw if step.optional else word, view.options)
            if worked == "later":
                self.live.conclude(fault.id, self.note(w.t("A note for the case (empty for none)")))
                return None
            if worked is not None:
                self.fix_result(fault.id, fault.title, worked == "yes")
                return None
            if word == "why":
                self.doc(how_document(self.live.session, everything=self.everything))
            elif word == "back":
                self.back()
                return None
            elif word == "escalate":
                return self.agent_escalation(step)
            elif not self.command(raw):
                self.term.say(w.t("Please answer yes or no, or type 'help'."), "warn")

    def say(self, step: Ask | ProposeFix | Conclude | Escalate) -> None:
        """Show what rules say before the step, and record it (said once per case)."""
        texts = said_texts(step.messages, self.kb, self.lang)
        self.term.show(said_lines(texts, self.term.width))
        self.live.say(step.messages, texts)

    def conclude(self, step: Conclude) -> None:
        """Show a conclusion nobody confirms and close the session at it."""
        view = conclusion_view(self.kb, step.fault.id, self.lang)
        self.term.show(conclusion_lines(view, self.term.width, self.lang, ids=self.term.ids))
        self.live.conclude(step.fault.id)

    def fix_result(self, fault: str, title: str, worked: bool) -> None:
        w = self.w
        if worked:
            self.live.fix(fault, True)
            self.term.say(w.t("Resolved."), "ok")
            return
        note = self.note(
            w.t("What happened when the fix was tried? (a note for the case; empty for none)")
        )
        self.live.fix(fault, False, note)
        self.term.say(w.t("“{fault}” is ruled out; the diagnosis goes on.", fault=title), "muted")

    # ---- the session --------------------------------------------------------------------

    def run(self, *, recap: bool = False) -> int:
        """Drive the live case until it ends or the agent leaves; returns the exit code.

        Ctrl-C / SIGTERM pause the case (a `quit` event) and go on to cli.main, which exits
        130 / 143; a store failure stops the session with a StoreError (exit 4) that says
        what is saved and how to resume."""
        live = self.live
        try:
            return self._drive(recap=recap)
        except (KeyboardInterrupt, Terminated) as stop:
            reason = "terminated" if isinstance(stop, Terminated) else "interrupted"
            try:
                live.quit(reason)
            except StoreError:
                stop.add_note(f"case {live.case_id} stays open (the store could not record it)")
            else:
                stop.add_note(f"case {live.case_id} is saved")
            stop.add_note(f"resume with: linewise resume {live.case_id}")
            raise
        except StoreError as err:
            raise StoreError(
                f"{err.message}; the session of case {live.case_id} stopped, and everything "
                "before the failed step is saved",
                hint=f"once the store can be written again, continue with: "
                f"linewise resume {live.case_id}",
            ) from err

    def _drive(self, *, recap: bool) -> int:
        live, w = self.live, self.w
        session = live.session
        head = banner(live.case_id, live.line, live.intake, self.kb.versions(), self.kb, self.lang)
        self.term.show(banner_lines(head, self.term.width))
        if recap:
            self.doc(recap_document(live.case(), self.kb, self.lang))
        incoming = live.handoff_in()
        if incoming is not None:
            doc = handoff_document(incoming, self.kb, self.lang, everything=self.everything)
            if recap:  # the recap has just listed the intake and the answers
                recapped = ("questions", "known", "ruled_out", "notes")
                kept = tuple(s for s in doc.sections if s.key not in recapped)
                doc = doc.model_copy(update={"sections": kept})
            self.doc(doc)
        try:
            while True:
                step = session.step()
                if not isinstance(step, Done) and step.messages:
                    self.say(step)
                if isinstance(step, Ask):
                    forced = self.ask(step)
                elif isinstance(step, ProposeFix):
                    forced = self.propose(step)
                elif isinstance(step, Conclude):
                    self.conclude(step)
                    continue
                elif isinstance(step, Escalate):
                    forced = step
                else:
                    return self.done(step)
                if forced is not None:
                    return self.escalated(forced, agent=forced is not step)
        except Leave as leave:
            live.quit(leave.reason)
            shown = {"end of input": w.t("end of input"), "the agent quit": w.t("the agent quit")}
            self.term.say(
                w.t(
                    "Saved case {case} ({reason}); resume it with:",
                    case=live.case_id,
                    reason=shown.get(leave.reason, leave.reason),
                ),
                "ok",
                0,
            )
            self.term.say(f"linewise resume {live.case_id}", "", 2)
            return 0

    def escalated(self, step: Escalate, *, agent: bool) -> int:
        live, w = self.live, self.w
        note = ""
        self.term.show(advice_lines(step.advice, self.term.width, self.lang))
        if agent:  # after a failed fix, its note already says what happened
            target = step.escalation.to_line
            note = self.note(
                w.t(
                    "A note for Line {line} (what was tried, what the customer said; "
                    "empty for none)",
                    line=target,
                )
                if not step.final
                else w.t("A note for the case (empty for none)")
            )
        packet = live.escalate(step, note)
        self.term.blank()
        self.doc(handoff_document(packet, self.kb, self.lang, everything=self.everything))
        if step.final:
            self.term.say(
                w.t("Case {case} is unresolved at Line {line}.", case=live.case_id, line=live.line),
                "warn",
                0,
            )
        else:
            by_hand = not packet.guided  # no guided knowledge there: worked from the record
            fields = {"case": live.case_id, "line": packet.to_line}
            said = (
                w.t("Case {case} is escalated to Line {line}, which works it by hand:", **fields)
                if by_hand
                else w.t("Case {case} is escalated to Line {line}; continue there with:", **fields)
            )
            self.term.say(said, "warn", 0)
            command = "case show" if by_hand else "resume"
            self.term.say(f"linewise {command} {live.case_id}", "", 2)
        return 0

    def done(self, step: Done) -> int:
        self.term.say(done_message(self.live.case_id, step, self.kb, self.lang), "ok", 0)
        return 0


def run(live: LiveCase, lang: str, term: Terminal | None = None, *, recap: bool = False) -> int:
    return Guide(live, lang, term or Terminal()).run(recap=recap)


def start(
    kb: KnowledgeBase,
    store_path: str | None,
    intake: Mapping[str, Any],
    *,
    threshold: float,
    lang: str,
    line: int = 1,
    ids: bool = False,
) -> int:
    """Check the intake options, prompt for what is missing, open a case and guide it."""
    kb.for_line(line)  # an unknown line fails before any prompt
    check_complaint(kb, intake, line, lang)
    desk = terminal_desk(kb, store_path, threshold=threshold, lang=lang)
    desk.check_intake(intake, line)  # a wrong option fails before any prompt
    term = Terminal(ids=ids)
    w = words(lang)
    try:
        values = Intake(term, kb, lang, line).complete(intake)
    except EOFError:
        term.blank()
        term.say(w.t("Input ended before the intake was complete; no case was opened."), "", 0)
        return 0
    except (KeyboardInterrupt, Terminated) as stop:
        stop.add_note("the intake was not complete; no case was opened")
        raise
    live = desk.open(values, line)
    return run(live, lang, term)


def resume(
    kb: KnowledgeBase,
    store_path: str | None,
    case_id: str,
    *,
    threshold: float,
    lang: str,
    allow_pack_change: bool,
    ids: bool = False,
) -> int:
    """Continue a case: a recap of what is known, then the next question."""
    desk = terminal_desk(kb, store_path, threshold=threshold, lang=lang)
    live = desk.resume(case_id, allow_pack_change=allow_pack_change)
    return run(live, lang, Terminal(ids=ids), recap=True)


__all__ = ["ids_option", "open_case_store", "resume", "run", "start", "store_option"]
__all__ += ["terminal_user"]
