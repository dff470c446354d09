import type { Image } from '@napi-rs/canvas';
import type { Context } from './text';
import type { PictureFit, PictureFocus } from './theme';

export interface PictureBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a picture of `imageWidth` × `imageHeight` goes in a box, as CSS
 * object-fit and object-position say (https://www.w3.org/TR/css-images-3/#the-object-fit):
 * `cover` scales it to fill the box and crops what overflows, keeping the
 * `focus` side in view; `contain` scales it to fit whole inside the box and
 * sets it against the `focus` side, leaving the rest of the box as it was.
 * Returns the source rectangle read from the picture and the rectangle it is
 * drawn to.
 */
export function placePicture(
  imageWidth: number,
  imageHeight: number,
  box: PictureBox,
  fit: PictureFit,
  focus: PictureFocus,
): { source: PictureBox; target: PictureBox } {
  // How far along the free (or cropped) space the picture sits: 0 start, 0.5 centre, 1 end.
  const alongX = focus === 'left' ? 0 : focus === 'right' ? 1 : 0.5;
  const alongY = focus === 'top' ? 0 : focus === 'bottom' ? 1 : 0.5;
  if (fit === 'contain') {
    const scale = Math.min(box.width / imageWidth, box.height / imageHeight);
    const width = imageWidth * scale;
    const height = imageHeight * scale;
    return {
      source: { x: 0, y: 0, width: imageWidth, height: imageHeight },
      target: { x: box.x + (box.width - width) * alongX, y: box.y + (box.height - height) * alongY, width, height },
    };
  }
  const scale = Math.max(box.width / imageWidth, box.height / imageHeight);
  const sourceWidth = box.width / scale;
  const sourceHeight = box.height / scale;
  return {
    source: { x: (imageWidth - sourceWidth) * alongX, y: (imageHeight - sourceHeight) * alongY, width: sourceWidth, height: sourceHeight },
    target: { ...box },
  };
}

/** Draws a decoded picture into a box as `fit` and `focus` say, its corners rounded by `radius`. */
export function drawPicture(ctx: Context, image: Image, box: PictureBox, fit: PictureFit, focus: PictureFocus, radius: number): void {
  const { source, target } = placePicture(image.width, image.height, box, fit, focus);
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(target.x, target.y, target.width, target.height, Math.min(radius, target.width / 2, target.height / 2));
  ctx.clip();
  ctx.drawImage(image, source.x, source.y, source.width, source.height, target.x, target.y, target.width, target.height);
  ctx.restore();
}
