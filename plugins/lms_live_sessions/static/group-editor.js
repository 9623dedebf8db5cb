// A group's shared answer as one member edits it (docs/live-protocol.md, "Group discussion"):
// edits go as `group_edit` with the whole text, a client_id and the revision they were based
// on, debounced while the member types. When another member's edit got in first, the server
// refuses with `stale_revision` and the current text; an edit of someone else may also arrive
// while this member has unsent typing. Either way nothing typed is thrown away and nothing of
// the others is overwritten unseen: the member is shown the group's current text and chooses
// to merge their lines into it or to put their version in its place.
//
// No DOM here: the page (room-group.js) draws `status` and `conflict` and feeds `input()`.

const DEBOUNCE_MS = 700;

/** The text as the server stores it: each line NFC, whitespace collapsed, trimmed; no blank
 * lines at either end. Two texts that clean the same need no edit. */
export function cleanAnswer(text) {
  return String(text ?? "").replace(/\r\n?/g, "\n").split("\n")
    .map((line) => line.normalize("NFC").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").replace(/\s+/g, " ").trim())
    .join("\n").replace(/^\n+|\n+$/g, "");
}

/** The group's text with this member's new lines added at the end (lines they added that the
 * group's text lacks): a union that keeps everything both sides wrote. */
export function mergeAnswers(base, mine, theirs) {
  const cleanMine = cleanAnswer(mine);
  const cleanTheirs = cleanAnswer(theirs);
  if (cleanMine === cleanAnswer(base) || !cleanMine) return theirs;
  if (cleanTheirs === cleanAnswer(base) || !cleanTheirs) return mine;
  const known = new Set([...cleanAnswer(base).split("\n"), ...cleanTheirs.split("\n")]);
  const added = mine.replace(/\r\n?/g, "\n").split("\n").filter((line) => {
    const key = cleanAnswer(line);
    return key && !known.has(key);
  });
  return added.length ? `${theirs.replace(/\n+$/, "")}\n${added.join("\n")}` : theirs;
}

export class SharedAnswer {
  /** request: the page's requester; onChange(reason): redraw (reason "remote" also sets the
   * textarea to `draft`). */
  constructor(request, onChange) {
    this.request = request;
    this.onChange = onChange;
    this.groupId = null;
    this.base = { text: "", revision: 0 };
    this.draft = "";
    this.inflight = null;
    this.later = null; // a newer group text that came while an edit was on its way
    this.conflict = null; // {text, revision, by}: the group's text the member has to see
    this.closed = false;
    this.state = "saved"; // saved | saving | error | closed
    this.error = null;
    this.lastBy = null;
    this.timer = null;
  }

  get dirty() { return cleanAnswer(this.draft) !== cleanAnswer(this.base.text); }

  /** A group (re)loaded from a snapshot or an opening: its text and revision now. */
  load(groupId, text, revision, open) {
    const same = groupId === this.groupId;
    this.closed = !open;
    if (!same) {
      clearTimeout(this.timer);
      Object.assign(this, { groupId, base: { text, revision }, draft: text, inflight: null, later: null,
                            conflict: null, error: null, lastBy: null });
      this.state = this.closed ? "closed" : "saved";
      this.onChange("remote");
      return;
    }
    this.remote({ text, revision, by: null });
    if (this.closed) this.close();
  }

  close() {
    clearTimeout(this.timer);
    this.closed = true;
    this.state = "closed";
    this.onChange("state");
  }

  /** The member typed. */
  input(value) {
    this.draft = value;
    this.error = null;
    clearTimeout(this.timer);
    if (!this.conflict && !this.closed) this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    this.onChange("state");
  }

  /** Send now what is typed, if it differs from the group's text and nothing blocks it. */
  flush() {
    clearTimeout(this.timer);
    if (this.inflight || this.conflict || this.closed || this.groupId === null) return;
    if (!this.dirty) {
      this.state = "saved";
      this.onChange("state");
      return;
    }
    const sent = { text: this.draft, revision: this.base.revision, groupId: this.groupId };
    this.inflight = sent;
    this.state = "saving";
    this.onChange("state");
    this.request({ type: "group_edit", group_id: sent.groupId, base_revision: sent.revision, text: sent.text })
      .then((ok) => this.accepted(sent, ok), (error) => this.refused(sent, error));
  }

  accepted(sent, ok) {
    if (sent !== this.inflight) return;
    this.inflight = null;
    this.base = { text: cleanAnswer(sent.text), revision: ok.revision };
    this.lastBy = null;
    this.state = "saved";
    const later = this.later;
    this.later = null;
    if (later && later.revision > ok.revision) this.remote(later);
    else if (this.dirty) this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
    this.onChange("state");
  }

  refused(sent, error) {
    if (sent !== this.inflight) return;
    this.inflight = null;
    const later = this.later;
    this.later = null;
    if (error.code === "stale_revision" && error.current) {
      this.remote({ ...error.current, by: later?.revision === error.current.revision ? later.by : null });
      return;
    }
    if (error.code === "closed") {
      this.close();
      return;
    }
    this.state = "error";
    this.error = error;
    this.onChange("state");
  }

  /** The group's text as the server has it now (another member's edit, or our own echoed). */
  remote(change) {
    if (change.revision <= this.base.revision) return;
    if (this.inflight) { // wait for our edit's answer: it tells whether this came before or after
      if (!this.later || change.revision > this.later.revision) this.later = change;
      return;
    }
    if (change.by) this.lastBy = change.by;
    if (!this.dirty || cleanAnswer(this.draft) === cleanAnswer(change.text)) {
      this.base = { text: change.text, revision: change.revision };
      this.draft = change.text;
      this.conflict = null;
      this.onChange("remote");
      return;
    }
    clearTimeout(this.timer);
    this.conflict = { text: change.text, revision: change.revision, by: change.by || this.lastBy };
    this.onChange("state");
  }

  /** Conflict resolved by adding this member's new lines to the group's text. */
  merge() {
    if (!this.conflict) return;
    const merged = mergeAnswers(this.base.text, this.draft, this.conflict.text);
    this.base = { text: this.conflict.text, revision: this.conflict.revision };
    this.draft = merged;
    this.conflict = null;
    this.onChange("remote");
    this.flush();
  }

  /** Conflict resolved by putting this member's text in place of the group's (seen first). */
  keepMine() {
    if (!this.conflict) return;
    this.base = { text: this.conflict.text, revision: this.conflict.revision };
    this.conflict = null;
    this.onChange("state");
    this.flush();
  }
}
