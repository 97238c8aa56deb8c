// Pan (drag) and zoom (wheel, around the pointer) of an SVG's content group. A drag that
// moved the view swallows the click that ends it, so panning never toggles a scope.

const DRAG_SLOP_PX = 4;
const MIN_SCALE = 0.05;
const MAX_SCALE = 4;

export class Viewport {
  constructor(svgNode, content) {
    this.svg = svgNode;
    this.content = content;
    this.x = 0;
    this.y = 0;
    this.k = 1;
    this.drag = null;
    svgNode.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    svgNode.addEventListener('pointerdown', (e) => this.onDown(e));
    svgNode.addEventListener('pointermove', (e) => this.onMove(e));
    svgNode.addEventListener('pointerup', (e) => this.onUp(e));
    svgNode.addEventListener('pointercancel', () => { this.drag = null; });
    // Capture phase: runs before the view's click handler on the nodes.
    svgNode.addEventListener('click', (e) => {
      if (this.swallowClick) {
        this.swallowClick = false;
        e.stopPropagation();
      }
    }, true);
  }

  apply() {
    this.content.setAttribute('transform', `translate(${this.x},${this.y}) scale(${this.k})`);
  }

  size() {
    return { width: this.svg.clientWidth, height: this.svg.clientHeight };
  }

  /** Scale and centre a width x height drawing in the visible area (false when hidden). */
  fit(width, height, margin = 24) {
    const view = this.size();
    if (!view.width || !view.height) return false;
    this.k = Math.min((view.width - 2 * margin) / Math.max(width, 1),
      (view.height - 2 * margin) / Math.max(height, 1), 1.5);
    this.k = Math.max(this.k, MIN_SCALE);
    this.x = (view.width - width * this.k) / 2;
    this.y = (view.height - height * this.k) / 2;
    this.apply();
    return true;
  }

  /** Bring a box (drawing coordinates) to the middle, zoomed in enough to read it. */
  centerOn(box) {
    const view = this.size();
    this.k = Math.max(this.k, 0.8);
    this.x = view.width / 2 - (box.x + box.width / 2) * this.k;
    this.y = view.height / 2 - (box.y + box.height / 2) * this.k;
    this.apply();
  }

  onWheel(event) {
    event.preventDefault();
    const rect = this.svg.getBoundingClientRect();
    const mx = event.clientX - rect.left;
    const my = event.clientY - rect.top;
    const unit = event.deltaMode === 1 ? 16 : 1; // lines, not pixels, on some mice
    const k = Math.min(Math.max(this.k * Math.exp(-event.deltaY * unit * 0.0015), MIN_SCALE),
      MAX_SCALE);
    this.x = mx - ((mx - this.x) / this.k) * k;
    this.y = my - ((my - this.y) / this.k) * k;
    this.k = k;
    this.apply();
  }

  onDown(event) {
    if (event.button !== 0) return;
    this.swallowClick = false; // a drag whose click never came must not eat this one
    this.drag = { startX: event.clientX, startY: event.clientY, x: this.x, y: this.y,
      moving: false, pointer: event.pointerId };
  }

  onMove(event) {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moving && Math.hypot(dx, dy) < DRAG_SLOP_PX) return;
    if (!drag.moving) {
      // Captured only once it is a drag: capturing on pointerdown would retarget the click.
      drag.moving = true;
      this.svg.setPointerCapture(event.pointerId);
      this.svg.classList.add('panning');
    }
    this.x = drag.x + dx;
    this.y = drag.y + dy;
    this.apply();
  }

  onUp(event) {
    const drag = this.drag;
    this.drag = null;
    if (!drag?.moving) return;
    this.swallowClick = true;
    this.svg.classList.remove('panning');
    if (this.svg.hasPointerCapture(event.pointerId)) {
      this.svg.releasePointerCapture(event.pointerId);
    }
  }
}
