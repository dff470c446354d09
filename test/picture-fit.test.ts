/**
 * Picture fit (theme.pictureFit, theme.pictureFocus; render/picture.ts), as CSS
 * object-fit and object-position place a picture: a landscape picture (480 × 240)
 * in a square box (200 × 200 at 10, 20). The goldens product-contain-landscape-en-US
 * and product-cover-left-landscape-en-US show the same on a card.
 */
import { placePicture } from '../src/render/picture';

const box = { x: 10, y: 20, width: 200, height: 200 };

test('cover fills the box and crops the overflow, keeping the focus side in view', () => {
  // Scaled to the box's height: 240 source pixels of the 480 are shown.
  expect(placePicture(480, 240, box, 'cover', 'center')).toEqual({ source: { x: 120, y: 0, width: 240, height: 240 }, target: box });
  expect(placePicture(480, 240, box, 'cover', 'left').source.x).toBe(0);
  expect(placePicture(480, 240, box, 'cover', 'right').source.x).toBe(240);
  // Top and bottom say nothing about a horizontal crop: centred.
  expect(placePicture(480, 240, box, 'cover', 'top').source.x).toBe(120);
});

test('contain shows the whole picture inside the box, set against the focus side', () => {
  expect(placePicture(480, 240, box, 'contain', 'center')).toEqual({ source: { x: 0, y: 0, width: 480, height: 240 }, target: { x: 10, y: 70, width: 200, height: 100 } });
  expect(placePicture(480, 240, box, 'contain', 'top').target.y).toBe(20);
  expect(placePicture(480, 240, box, 'contain', 'bottom').target.y).toBe(120);
  // A tall picture in a wide box leaves room at the sides instead.
  expect(placePicture(100, 400, { x: 0, y: 0, width: 300, height: 200 }, 'contain', 'right').target).toEqual({ x: 250, y: 0, width: 50, height: 200 });
});

test('a picture with the box\'s own shape fills it exactly either way', () => {
  for (const fit of ['cover', 'contain'] as const) {
    expect(placePicture(400, 400, box, fit, 'left')).toEqual({ source: { x: 0, y: 0, width: 400, height: 400 }, target: box });
  }
});
