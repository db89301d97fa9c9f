// The two video tiles: the remote picture large with the local one inset, a waiting card with
// the invite link while nobody is there, an unmute button when autoplay forced silence, and a
// "paused" veil over the frozen remote picture while the call recovers.

import type { DemoState } from '../state';
import { byId } from './dom';

export class MediaView {
  readonly #local = byId('local-video', HTMLVideoElement);
  readonly #remote = byId('remote-video', HTMLVideoElement);
  readonly #waiting = byId('waiting');
  readonly #invite = byId('invite-link', HTMLAnchorElement);
  readonly #copy = byId('copy-invite', HTMLButtonElement);
  readonly #unmute = byId('unmute', HTMLButtonElement);
  readonly #localLabel = byId('local-label');
  readonly #stage = byId('stage');
  readonly #paused = byId('paused');
  readonly #pausedText = byId('paused-text');

  constructor() {
    this.#copy.addEventListener('click', () => {
      // navigator.clipboard is missing outside secure contexts (plain http:// on a LAN address).
      const clipboard = navigator.clipboard as Clipboard | undefined;
      if (clipboard === undefined) {
        this.#copy.textContent = 'Select the link to copy it';
        return;
      }
      clipboard.writeText(this.#invite.href).then(
        () => {
          this.#copy.textContent = 'Copied';
        },
        () => {
          this.#copy.textContent = 'Copy failed';
        },
      );
    });
    this.#unmute.addEventListener('click', () => {
      this.#remote.muted = false;
      this.#unmute.hidden = true;
    });
  }

  showLocal(stream: MediaStream | null, source: DemoState['media']): void {
    this.#local.srcObject = stream;
    this.#localLabel.textContent = source === 'canvas' ? 'You (generated picture)' : 'You';
  }

  showRemote(stream: MediaStream | null): void {
    if (this.#remote.srcObject === stream) return;
    this.#remote.srcObject = stream;
    // Autoplay with sound needs a user gesture; an auto-joined page starts muted instead.
    const activated = navigator.userActivation.hasBeenActive;
    this.#remote.muted = !activated;
    this.#unmute.hidden = stream === null || activated || stream.getAudioTracks().length === 0;
  }

  render(state: DemoState, invite: string): void {
    const hasRemote = this.#remote.srcObject !== null;
    this.#waiting.hidden = hasRemote && state.phase !== 'new';
    // The last frame stays up while no packets arrive; say it is frozen, not a still scene.
    const paused = hasRemote && (state.phase === 'recovering' || state.phase === 'failed');
    this.#paused.hidden = !paused;
    this.#stage.toggleAttribute('data-paused', paused);
    const text =
      state.phase === 'failed'
        ? 'Video paused — connection failed'
        : 'Video paused — reconnecting…';
    if (this.#pausedText.textContent !== text) this.#pausedText.textContent = text;
    if (this.#invite.href !== invite) {
      this.#invite.href = invite;
      this.#invite.textContent = invite.replace(/^https?:\/\//, '');
      this.#copy.textContent = 'Copy link';
    }
  }
}
