// Draws images/icon.png (128x128 RGBA): a dark log panel with text lines, one line flagged red,
// and a red lightning bolt, the "crash". Run: node images/make-icon.mjs. No dependencies.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const W = 128, H = 128, SS = 4; // 4x4 supersampling for smooth edges

/** Shapes, painted in order; each `inside(x, y)` works in icon pixel coordinates. */
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r), cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const polygon = (pts) => (x, y) => {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i], [xj, yj] = pts[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

const shapes = [
  [roundRect(4, 4, 124, 124, 20), [0x1e, 0x23, 0x30]],      // panel
  [roundRect(4, 4, 124, 26, 12), [0x2c, 0x33, 0x45]],       // title bar
  [roundRect(4, 16, 124, 26, 0), [0x2c, 0x33, 0x45]],
  [roundRect(14, 11, 20, 17, 3), [0xe0, 0x5d, 0x5d]],       // window dots
  [roundRect(24, 11, 30, 17, 3), [0xe6, 0xb4, 0x50]],
  [roundRect(34, 11, 40, 17, 3), [0x6c, 0xc0, 0x7a]],
  [roundRect(14, 36, 70, 42, 3), [0x8a, 0x94, 0xa8]],       // log lines
  [roundRect(14, 50, 86, 56, 3), [0x8a, 0x94, 0xa8]],
  [roundRect(14, 64, 58, 70, 3), [0xe0, 0x5d, 0x5d]],       // the flagged line
  [roundRect(22, 78, 80, 84, 3), [0x5a, 0x63, 0x78]],       // indented frames
  [roundRect(22, 92, 66, 98, 3), [0x5a, 0x63, 0x78]],
  [roundRect(22, 106, 74, 112, 3), [0x5a, 0x63, 0x78]],
  [polygon([[98, 30], [74, 74], [92, 74], [80, 116], [114, 62], [95, 62], [110, 30]]), [0xff, 0x4d, 0x3d]], // bolt
];

const raw = Buffer.alloc((W * 4 + 1) * H);
for (let y = 0; y < H; y++) {
  raw[y * (W * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < W; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) {
      const px = x + (sx + 0.5) / SS, py = y + (sy + 0.5) / SS;
      let c = null;
      for (const [inside, color] of shapes) if (inside(px, py)) c = color;
      if (c) { r += c[0]; g += c[1]; b += c[2]; a += 255; }
    }
    const n = SS * SS, covered = a / 255;
    const o = y * (W * 4 + 1) + 1 + x * 4;
    raw[o] = covered ? Math.round(r / covered) : 0;
    raw[o + 1] = covered ? Math.round(g / covered) : 0;
    raw[o + 2] = covered ? Math.round(b / covered) : 0;
    raw[o + 3] = Math.round(a / n);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4);
ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`images/icon.png: ${png.length} bytes`);
