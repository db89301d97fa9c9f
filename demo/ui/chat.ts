// The chat over the call's data channel: messages both ways, and a form that is usable only
// while the channel is open.

import type { ChatMessage, DemoState } from '../state';
import { byId, clock, h } from './dom';

export class ChatView {
  readonly #list = byId('chat-log');
  readonly #input = byId('chat-input', HTMLInputElement);
  readonly #send = byId('chat-send', HTMLButtonElement);
  #last: ChatMessage | undefined;

  constructor(say: (text: string) => boolean) {
    byId('chat-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.#input.value.trim();
      if (text === '' || !say(text)) return;
      this.#input.value = '';
    });
  }

  render(state: DemoState): void {
    this.#input.disabled = !state.chatOpen;
    this.#send.disabled = !state.chatOpen;
    this.#input.placeholder = state.chatOpen ? 'Say something…' : 'Chat opens when connected';
    const last = state.chat.at(-1);
    if (last === this.#last) return;
    this.#last = last;
    const items = state.chat.map((message) =>
      h(
        'li',
        { 'data-from': message.from },
        h(
          'span',
          { class: 'who' },
          message.from === 'me' ? 'You' : message.from === 'peer' ? 'Peer' : '',
        ),
        h('span', { class: 'text' }, message.text),
        h('time', {}, clock(message.at).slice(0, 8)),
      ),
    );
    if (items.length === 0) items.push(h('li', { class: 'empty' }, 'No messages yet.'));
    this.#list.replaceChildren(...items);
    this.#list.scrollTop = this.#list.scrollHeight;
  }
}
