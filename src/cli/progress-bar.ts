/** The progress bar the CLI draws on stderr while a long command runs. */

/**
 * A one-line progress bar with rate and ETA on a stream; it draws only when
 * the stream is a TTY (otherwise both functions do nothing).
 */
export function progressBar(stream: NodeJS.WriteStream, label: string): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done: number, total: number): void {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      const mmss = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)} img/s ETA ${mmss(eta)} `,
      );
      drawn = true;
    },
    end(): void {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
