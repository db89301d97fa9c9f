// The demo page's entry: reads the URL, wires the join form and buttons to a Call, renders the
// Store on every change, and exposes a read-only snapshot as `window.demo` for tests.

import { Call } from './call';
import { findPreset, inviteLink, POLICY_PRESETS, readParams, ROOM_PATTERN } from './config';
import { openLocalMedia } from './media';
import { snapshot, Store, type DemoState } from './state';
import { ChatView } from './ui/chat';
import { byId, h } from './ui/dom';
import { IncidentsView } from './ui/incidents';
import { MediaView } from './ui/media';
import { StatsView } from './ui/stats';
import { StatusView } from './ui/status';
import { TimelineView } from './ui/timeline';

/** What tests read through `window.demo`; every getter returns a frozen copy. */
export interface DemoHandle {
  readonly phase: DemoState['phase'];
  readonly incidents: DemoState['incidents'];
  readonly chat: DemoState['chat'];
  readonly signaling: DemoState['signaling'];
  readonly snapshot: Readonly<DemoState>;
}

declare global {
  interface Window {
    readonly demo: DemoHandle;
  }
}

const params = readParams(location);
const store = new Store();
const form = byId('join-form', HTMLFormElement);
const roomInput = byId('room', HTMLInputElement);
const policySelect = byId('policy', HTMLSelectElement);
const joinButton = byId('join', HTMLButtonElement);
const leaveButton = byId('leave', HTMLButtonElement);
const restartButton = byId('restart', HTMLButtonElement);
const roomHint = byId('room-hint');
const policySummary = byId('policy-summary');

roomInput.pattern = ROOM_PATTERN;
roomInput.value = params.room;
policySelect.append(
  ...POLICY_PRESETS.map((preset) => h('option', { value: preset.id }, preset.label)),
);
policySelect.value = params.policy.id;

const status = new StatusView();
const media = new MediaView();
const views = [new TimelineView(), new IncidentsView(), new StatsView()];
let call: Call | null = null;
const chat = new ChatView((text) => call?.say(text) ?? false);
let joining = false;

store.subscribe((state) => {
  const preset = findPreset(policySelect.value);
  status.render(state, preset.label);
  media.render(state, inviteLink(location, roomInput.value, preset));
  chat.render(state);
  for (const view of views) view.render(state);
  const busy = state.joined || joining;
  joinButton.disabled = busy;
  roomInput.disabled = busy;
  policySelect.disabled = busy;
  leaveButton.disabled = !state.joined;
  restartButton.disabled =
    !state.joined || !['connected', 'recovering', 'failed'].includes(state.phase);
  policySummary.textContent = preset.summary;
});

async function join(): Promise<void> {
  if (call !== null || joining) return;
  if (!roomInput.checkValidity()) {
    roomHint.hidden = false;
    roomInput.setAttribute('aria-invalid', 'true');
    roomInput.focus();
    return;
  }
  roomHint.hidden = true;
  roomInput.removeAttribute('aria-invalid');
  const room = roomInput.value;
  const policy = findPreset(policySelect.value);
  joining = true;
  store.update(() => undefined);
  // Media first: once the relay welcomes us the peer must exist at once (see Call).
  const local = await openLocalMedia(`room ${room}`);
  joining = false;
  if (local.fallbackReason !== null) {
    store.log('call', `no camera (${local.fallbackReason}); sending a generated picture`);
  }
  media.showLocal(local.stream, local.source);
  store.update((s) => {
    s.media = local.source;
  });
  history.replaceState(null, '', inviteLink(location, room, policy).replace('&autojoin=1', ''));
  call = new Call({
    room,
    signal: params.signal,
    log: params.log,
    policy,
    media: local,
    store,
    onRemoteStream: (stream) => {
      media.showRemote(stream);
      store.update(() => undefined);
    },
  });
}

function leave(): void {
  call?.leave();
  call = null;
  media.showLocal(null, null);
  media.showRemote(null);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void join();
});
policySelect.addEventListener('change', () => {
  store.update(() => undefined);
});
roomInput.addEventListener('input', () => {
  store.update(() => undefined);
});
leaveButton.addEventListener('click', () => {
  leave();
  joinButton.focus();
});
restartButton.addEventListener('click', () => {
  call?.restart();
});
// Tell the peer we are gone, so it starts afresh instead of trying to recover a closed tab.
addEventListener('pagehide', () => {
  call?.leave();
});

const handle: DemoHandle = Object.freeze({
  get phase() {
    return store.state.phase;
  },
  get incidents() {
    return snapshot(store.state).incidents;
  },
  get chat() {
    return snapshot(store.state).chat;
  },
  get signaling() {
    return snapshot(store.state).signaling;
  },
  get snapshot() {
    return snapshot(store.state);
  },
});
Object.defineProperty(window, 'demo', { value: handle, enumerable: true });

if (params.autojoin) void join();
