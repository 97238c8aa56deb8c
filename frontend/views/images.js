// Images: per (tag, run) the image at one step, chosen with a slider (latest by default).

import { runColor } from '../colors.js';
import { el } from '../dom.js';
import { api } from '../model.js';
import { cardFrame } from './plugin_view.js';

export class ImageCard {
  constructor(run, tag) {
    this.run = run;
    this.tag = tag;
    this.img = el('img', { class: 'sample', alt: `${tag} (${run})` });
    this.img.addEventListener('load', () => this.onImageLoad());
    this.stepLabel = el('span', { class: 'step-label' });
    this.slider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0',
      'aria-label': 'Step', oninput: () => this.show(Number(this.slider.value)) });
    const body = el('div', { class: 'image-body' },
      el('div', { class: 'image-frame' }, this.img),
      el('div', { class: 'image-controls' }, this.slider, this.stepLabel));
    Object.assign(this, cardFrame(run, tag, runColor(run), body));
    this.following = true; // stay on the latest step as new images arrive
  }

  /** Small images (MNIST digits) are scaled up by a whole factor, pixels kept sharp. */
  onImageLoad() {
    const { naturalWidth: w, naturalHeight: h } = this.img;
    const factor = Math.max(1, Math.floor(Math.min(240 / h, 360 / w)));
    this.img.style.width = `${w * factor}px`;
    this.element.dataset.drawn = String(Date.now());
  }

  async load() {
    const response = await api.images(this.run, this.tag);
    this.data = Array.isArray(response) ? response : (response.images ?? []);
    this.draw();
  }

  draw() {
    const n = this.data.length;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.disabled = n < 2;
    const index = this.following ? n - 1 : Math.min(Number(this.slider.value), n - 1);
    if (n) this.show(index);
    else this.foot.textContent = 'No images yet.';
  }

  show(position) {
    const entry = this.data[position];
    if (!entry) return;
    this.slider.value = String(position);
    this.following = position === this.data.length - 1;
    const index = entry.index ?? position;
    this.img.src = api.imageURL(this.run, this.tag, index);
    this.stepLabel.textContent = `step ${entry.step}`;
    const size = entry.width && entry.height ? `${entry.width}×${entry.height}` : '';
    this.foot.textContent = `${position + 1} of ${this.data.length}${size ? ` · ${size}` : ''}`;
  }

  showError(err) {
    this.foot.textContent = `Could not load: ${err.message}`;
    this.foot.classList.add('error');
  }
}
