// The signed-in user's live view of the server: conversations, messages, receipts,
// acknowledgements and alerts, kept current over the WebSocket, with catch-up through `/sync`
// after every reconnect. Applying an event twice changes nothing, so overlap between the sync
// pages and live frames is harmless.

import { api } from "./api";
import { session } from "./session.svelte";
import type { AlertView, ConversationView, EscalationGrantView, MessageView, PatientView, ReceiptView, ServerFrame, UserView, Uuid } from "./types";

const MESSAGE_PAGE = 200;
const MAX_BACKOFF_MS = 30_000;
/** Delivery acknowledgements are sent at most this often. */
const ACK_EVERY_MS = 500;

function cursorValue(cursor: string | null): bigint {
  try {
    return cursor ? BigInt(cursor) : -1n;
  } catch {
    return -1n;
  }
}

class Live {
  /** Whether the WebSocket is up and caught up. */
  online = $state(false);
  conversations = $state<Record<Uuid, ConversationView>>({});
  /** Messages per conversation, in seq order. */
  messages = $state<Record<Uuid, MessageView[]>>({});
  /** Per conversation, per member: how far they have received and read. */
  receipts = $state<Record<Uuid, Record<Uuid, ReceiptView>>>({});
  /** Per message, per member: when they acknowledged it. */
  acks = $state<Record<Uuid, Record<Uuid, string>>>({});
  users = $state<Record<Uuid, UserView>>({});
  patients = $state<Record<Uuid, PatientView>>({});
  /** Alerts raised while signed in (compliance officers). */
  alerts = $state<AlertView[]>([]);
  /** Messages escalations brought this user to, newest first (staff only). */
  escalations = $state<EscalationGrantView[]>([]);
  /** The conversation on screen: its messages are read as they arrive. */
  openConversation = $state<Uuid | null>(null);

  #cursor: string | null = null;
  #socket: WebSocket | null = null;
  #running = false;
  #backoff = 1000;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #pendingAck: string | null = null;

  constructor() {
    session.onEnd(() => this.stop());
    window.addEventListener("online", () => this.#connectSoon(0));
  }

  /** Loads the directory and conversation list, then goes live. */
  async start(): Promise<void> {
    this.#running = true;
    await Promise.all([this.#loadDirectory(), this.#loadConversations()]);
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#reconnect);
    clearTimeout(this.#ackTimer);
    this.#socket?.close();
    this.#socket = null;
    this.#cursor = null;
    this.online = false;
    this.conversations = {};
    this.messages = {};
    this.receipts = {};
    this.acks = {};
    this.users = {};
    this.patients = {};
    this.alerts = [];
    this.escalations = [];
    this.openConversation = null;
  }

  /** Reads the messages escalations brought this user to (not a patient's concern). */
  async loadEscalations(): Promise<void> {
    if (session.isPatient) return;
    const { grants } = await api.GET("/api/v1/escalations");
    this.escalations = grants;
  }

  userName(id: Uuid | null | undefined): string {
    if (!id) return "System";
    if (id === session.me?.user.id) return "You";
    return this.users[id]?.display_name ?? (session.isPatient ? "Your care team" : "Unknown user");
  }

  /** The messages of a conversation, loaded when it is first opened. */
  async loadMessages(conversationId: Uuid): Promise<void> {
    const conversation = this.conversations[conversationId] ?? (await this.#fetchConversation(conversationId));
    const last = conversation.last_seq ?? 0;
    const page = await api.GET("/api/v1/conversations/{id}/messages", {
      params: { path: { id: conversationId }, query: { after: Math.max(0, last - MESSAGE_PAGE), limit: MESSAGE_PAGE } },
    });
    for (const message of page.messages) this.#putMessage(message);
    // Acknowledgements made while this page was closed arrive with no frame; the page has them.
    for (const ack of page.acknowledgements ?? []) this.recordAck(ack.message_id, ack.user_id, ack.acknowledged_at);
    this.messages[conversationId] ??= [];
    const mine = [...this.messages[conversationId]].reverse().find((m) => m.sender_id === session.me?.user.id);
    if (mine) await this.#loadReceipts(mine);
  }

  /** Seeds the receipt state of a conversation from its latest own message. */
  async #loadReceipts(message: MessageView): Promise<void> {
    const receipts = await api.GET("/api/v1/messages/{id}/receipts", { params: { path: { id: message.id } } });
    for (const recipient of receipts.recipients) {
      const known = this.receipts[message.conversation_id]?.[recipient.user_id];
      this.#putReceipt({
        conversation_id: message.conversation_id,
        user_id: recipient.user_id,
        delivered_up_to: recipient.delivered ? message.seq : (known?.delivered_up_to ?? 0),
        read_up_to: recipient.read ? message.seq : (known?.read_up_to ?? 0),
        updated_at: known?.updated_at ?? message.created_at,
      });
      if (recipient.acknowledged_at) this.recordAck(message.id, recipient.user_id, recipient.acknowledged_at);
    }
  }

  /** Marks everything shown in the open conversation as read. */
  async markRead(conversationId: Uuid): Promise<void> {
    const list = this.messages[conversationId];
    const conversation = this.conversations[conversationId];
    if (!list?.length || !conversation) return;
    const upTo = list[list.length - 1].seq;
    const mine = this.receipts[conversationId]?.[session.me?.user.id ?? ""];
    if ((conversation.unread ?? 0) === 0 && (mine?.read_up_to ?? 0) >= upTo) return;
    conversation.unread = 0;
    await api.POST("/api/v1/conversations/{id}/read", { params: { path: { id: conversationId } }, body: { up_to_seq: upTo } });
  }

  /** Adds a message the server acknowledged (the sender's own copy, before the frame). */
  accept(message: MessageView): void {
    this.#putMessage(message);
  }

  async #fetchConversation(id: Uuid): Promise<ConversationView> {
    const conversation = await api.GET("/api/v1/conversations/{id}", { params: { path: { id } } });
    this.conversations[id] = conversation;
    await this.#loadPatient(conversation.patient_id);
    return conversation;
  }

  async #loadDirectory(): Promise<void> {
    if (session.can("users_read")) {
      const list = await api.GET("/api/v1/users");
      this.users = Object.fromEntries(list.users.map((u) => [u.id, u]));
    } else if (session.me) {
      this.users = { [session.me.user.id]: session.me.user };
    }
  }

  async #loadConversations(): Promise<void> {
    const list = await api.GET("/api/v1/conversations");
    this.conversations = Object.fromEntries(list.conversations.map((c) => [c.id, c]));
    const patients = new Set(list.conversations.map((c) => c.patient_id).filter((id): id is Uuid => !!id));
    await Promise.all([...patients].map((id) => this.#loadPatient(id)));
  }

  async #loadPatient(id: Uuid | null | undefined): Promise<void> {
    if (!id || this.patients[id] || !session.can("patients_read")) return;
    try {
      this.patients[id] = await api.GET("/api/v1/patients/{id}", { params: { path: { id } } });
    } catch {
      // Not on this patient's care team: the thread is shown without the registry entry.
    }
  }

  #connectSoon(delay: number): void {
    if (!this.#running) return;
    clearTimeout(this.#reconnect);
    this.#reconnect = setTimeout(() => this.#connect(), delay);
  }

  #connect(): void {
    if (!this.#running || (this.#socket && this.#socket.readyState <= WebSocket.OPEN)) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/ws`);
    this.#socket = socket;
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      void this.#onFrame(frame);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.online = false;
      if (!this.#running) return;
      this.#connectSoon(this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
      // A closed socket may mean the session ended: ask, and let the session react.
      api.GET("/api/v1/auth/web-session").catch(() => undefined);
    };
  }

  async #onFrame(frame: ServerFrame): Promise<void> {
    switch (frame.type) {
      case "hello":
        this.#backoff = 1000;
        if (this.#cursor === null) {
          // The first connection: from here on events arrive live; the list is read again so
          // that nothing committed between the first read and this cursor is missed.
          this.#cursor = frame.cursor;
          await this.#loadConversations().catch(() => undefined);
        } else {
          await this.#catchUp();
        }
        await this.loadEscalations().catch(() => undefined);
        this.online = true;
        return;
      case "resync":
        await this.#catchUp();
        return;
      case "session.revoked":
        await session.end("revoked");
        return;
      case "device.wipe":
        await session.end("wipe");
        return;
      case "alert.raised":
        if (!this.alerts.some((a) => a.id === frame.alert.id)) this.alerts = [frame.alert, ...this.alerts];
        return;
      case "message.escalated":
        // A step that brought this user in: the message is theirs to see, by grant.
        if (frame.target_user_id === session.me?.user.id) await this.loadEscalations().catch(() => undefined);
        this.#apply(frame);
        this.#advance(frame.cursor);
        return;
      case "pong":
      case "error":
      // Answers to sends over the socket, which this page does not make (it sends over HTTP).
      case "send.ok":
      case "send.failed":
        return;
      default:
        this.#apply(frame);
        this.#advance(frame.cursor);
    }
  }

  /** Everything missed since the cursor, page by page. */
  async #catchUp(): Promise<void> {
    try {
      for (let page = 0; page < 1000; page++) {
        const sync = await api.GET("/api/v1/sync", { params: { query: { since: this.#cursor ?? undefined, limit: 1000 } } });
        for (const event of sync.events) this.#apply(event);
        this.#advance(sync.cursor);
        if (!sync.more) break;
      }
    } catch {
      this.#socket?.close();
    }
  }

  #advance(cursor: string): void {
    if (cursorValue(cursor) <= cursorValue(this.#cursor)) return;
    this.#cursor = cursor;
    this.#pendingAck = cursor;
    if (this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = undefined;
        if (this.#pendingAck && this.#socket?.readyState === WebSocket.OPEN) {
          this.#socket.send(JSON.stringify({ type: "ack", cursor: this.#pendingAck }));
        }
        this.#pendingAck = null;
      }, ACK_EVERY_MS);
    }
  }

  #apply(frame: ServerFrame): void {
    switch (frame.type) {
      case "message.created":
      case "message.edited": {
        const isNew = !this.messages[frame.message.conversation_id]?.some((m) => m.id === frame.message.id);
        this.#putMessage(frame.message);
        const conversation = this.conversations[frame.message.conversation_id];
        if (!conversation) {
          void this.#fetchConversation(frame.message.conversation_id).catch(() => undefined);
        } else if (isNew && frame.type === "message.created") {
          conversation.last_seq = Math.max(conversation.last_seq ?? 0, frame.message.seq);
          const mine = frame.message.sender_id === session.me?.user.id;
          if (!mine && this.openConversation !== conversation.id) conversation.unread = (conversation.unread ?? 0) + 1;
          if (!mine && this.openConversation === conversation.id && document.visibilityState === "visible") {
            void this.markRead(conversation.id).catch(() => undefined);
          }
        }
        return;
      }
      case "receipt.updated":
        this.#putReceipt(frame.receipt);
        return;
      case "conversation.updated":
        this.conversations[frame.conversation.id] = { ...this.conversations[frame.conversation.id], ...frame.conversation };
        void this.#loadPatient(frame.conversation.patient_id);
        return;
      case "member.removed":
        if (frame.user_id === session.me?.user.id) {
          delete this.conversations[frame.conversation_id];
          delete this.messages[frame.conversation_id];
        } else {
          const conversation = this.conversations[frame.conversation_id];
          if (conversation) conversation.members = conversation.members.filter((id) => id !== frame.user_id);
        }
        return;
      case "message.acknowledged":
        this.recordAck(frame.message_id, frame.user_id, frame.at);
        return;
      case "message.recalled":
      case "message.expired": {
        const message = this.messages[frame.conversation_id]?.find((m) => m.id === frame.message_id);
        if (message) {
          if (frame.type === "message.recalled") message.recalled = true;
          else message.expired = true;
          message.body = "";
          message.attachments = [];
        }
        return;
      }
      default:
        return;
    }
  }

  #putMessage(message: MessageView): void {
    const list = (this.messages[message.conversation_id] ??= []);
    const at = list.findIndex((m) => m.id === message.id);
    if (at >= 0) {
      list[at] = message;
      return;
    }
    let index = list.length;
    while (index > 0 && list[index - 1].seq > message.seq) index--;
    list.splice(index, 0, message);
  }

  #putReceipt(receipt: ReceiptView): void {
    const byUser = (this.receipts[receipt.conversation_id] ??= {});
    const known = byUser[receipt.user_id];
    byUser[receipt.user_id] = {
      ...receipt,
      delivered_up_to: Math.max(receipt.delivered_up_to, known?.delivered_up_to ?? 0),
      read_up_to: Math.max(receipt.read_up_to, known?.read_up_to ?? 0),
    };
  }

  /** Records that `userId` acknowledged a message (from a frame, a lookup, or one's own ack). */
  recordAck(messageId: Uuid, userId: Uuid, at: string): void {
    (this.acks[messageId] ??= {})[userId] = at;
  }
}

export const live = new Live();

/** A conversation's name as the signed-in user should see it. */
export function conversationTitle(conversation: ConversationView): string {
  if (conversation.kind === "care_team" || conversation.kind === "patient") {
    const patient = conversation.patient_id ? live.patients[conversation.patient_id] : undefined;
    if (session.isPatient) return conversation.title ?? "Your care team";
    if (patient) {
      const name = patientFullName(patient);
      return conversation.kind === "patient" ? `${name} (with patient)` : name;
    }
  }
  if (conversation.title) return conversation.title;
  if (conversation.kind === "direct") {
    const other = conversation.members.find((id) => id !== session.me?.user.id);
    return live.userName(other);
  }
  return "Conversation";
}

/** The second identifier of a patient thread: MRN and birth date. */
export function patientLine(conversation: ConversationView): string {
  const patient = conversation.patient_id ? live.patients[conversation.patient_id] : undefined;
  return patient ? patientIdentifiers(patient) : "";
}

/** A patient's name as staff read it: "Family, Given". */
export function patientFullName(patient: PatientView): string {
  return `${patient.family_name}, ${patient.given_name}`;
}

/** A patient's identifiers besides the name: MRN and birth date. */
export function patientIdentifiers(patient: PatientView): string {
  const mrn = /^mrn/i.test(patient.mrn) ? patient.mrn : `MRN ${patient.mrn}`;
  return `${mrn} · born ${patient.birth_date}`;
}

