// The cards' data requests, run a few at a time in the order asked; a user's request (a
// zoom) can jump the line.

export class FetchQueue {
  /**
   * `limit`: tasks running at once. `gate` (a promise, optional): until it settles only the
   * first task may start. The page uses plotly.js being ready: until then the first card's
   * data is all it can draw, and every later response would be parsed on the main thread
   * while plotly.js waits to run there.
   */
  constructor(limit, gate = null) {
    this.limit = limit;
    this.active = 0;
    this.started = 0;
    this.waiting = [];
    this.gated = Boolean(gate);
    gate?.finally(() => {
      this.gated = false;
      this.next();
    });
  }

  run(fn, { urgent = false } = {}) {
    return new Promise((resolve, reject) => {
      this.waiting[urgent ? 'unshift' : 'push']({ fn, resolve, reject });
      this.next();
    });
  }

  next() {
    while (this.active < this.limit && this.waiting.length && !(this.gated && this.started)) {
      const { fn, resolve, reject } = this.waiting.shift();
      this.active++;
      this.started++;
      Promise.resolve().then(fn).then(resolve, reject).finally(() => {
        this.active--;
        this.next();
      });
    }
  }
}
