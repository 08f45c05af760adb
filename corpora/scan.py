"""Turn a text PDF into an image-only PDF that looks scanned: greyscale, slightly rotated, speckled, JPEG.

    python corpora/scan.py corpora/own/ru-41-cluster-subsidy-rules.pdf corpora/scans/ru-41-cluster-subsidy-rules.pdf
    python corpora/scan.py IN.pdf OUT.pdf --dpi 200 --skew 0.4 --noise 0.001 --quality 60 --seed 1

The output carries no text layer (each page is one JPEG image) and is byte-for-byte the same for the
same input, options and seed. `--skew` is the largest rotation in degrees; each page turns by a
seeded amount between half of it and all of it, in a seeded direction.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

MAX_SKEW = 0.7  # degrees: a careful scan on a flatbed, not a photo
PAPER = 246  # grey level of the paper: a scanner never sees pure white
GRAIN = 2.5  # standard deviation of the sensor noise, grey levels
FIXED_DATE = time.struct_time((2024, 1, 1, 0, 0, 0, 0, 1, 0))  # no clock in the output


def render_pages(pdf_path: Path, dpi: int) -> list[Image.Image]:
    """Each page rendered with PDFium at `dpi`, as a greyscale image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        images = []
        for i in range(len(pdf)):
            page = pdf[i]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return images
    finally:
        pdf.close()


def degrade(image: Image.Image, rng: np.random.Generator, skew: float, noise: float, blur: float) -> Image.Image:
    """One page as a scanner gives it: paper tone, rotation, blur, grain and dark specks."""
    angle = float(rng.uniform(0.5, 1.0) * skew * rng.choice([-1.0, 1.0]))
    ink = np.asarray(image, dtype=np.float32)
    # paper is not white and toner is not black
    page = Image.fromarray((PAPER - (255.0 - ink) * (PAPER - 25) / 255.0).astype(np.uint8))
    page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=PAPER)
    arr = np.asarray(page, dtype=np.float32)
    arr = arr + rng.normal(0.0, GRAIN, arr.shape)  # sensor grain, softened by the blur below
    if noise > 0:
        # dust: isolated dark specks, a few of them two pixels wide
        specks = rng.random(arr.shape) < noise
        arr[specks] = rng.uniform(40, 140, int(specks.sum()))
        wide = np.roll(specks, 1, axis=1) & (rng.random(arr.shape) < 0.3)
        arr[wide] = np.minimum(arr[wide], 120)
    page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L")
    return page.filter(ImageFilter.GaussianBlur(blur)) if blur > 0 else page


def scan(src: Path, dst: Path, *, dpi: int = 200, skew: float = 0.4, noise: float = 0.001, blur: float = 0.8,
         quality: int = 60, seed: int = 0) -> int:
    """Write the scanned look-alike of `src` to `dst`; returns the number of pages."""
    if not 0 <= skew <= MAX_SKEW:
        raise ValueError(f"skew: expected 0..{MAX_SKEW} degrees, got {skew}")
    rng = np.random.default_rng(seed)
    pages = [degrade(img, rng, skew, noise, blur) for img in render_pages(src, dpi)]
    # each page re-read as a JPEG so the PDF embeds the JPEG stream as it is (DCTDecode)
    jpegs = []
    for page in pages:
        buf = io.BytesIO()
        page.save(buf, "JPEG", quality=quality, optimize=True)
        jpegs.append(Image.open(io.BytesIO(buf.getvalue())))
    dst.parent.mkdir(parents=True, exist_ok=True)
    jpegs[0].save(dst, "PDF", save_all=True, append_images=jpegs[1:], resolution=float(dpi),
                  title=f"Scan of {src.name}", producer="corpora/scan.py", creator="corpora/scan.py",
                  creationDate=FIXED_DATE, modDate=FIXED_DATE)
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--skew", type=float, default=0.4, help=f"largest rotation, degrees (at most {MAX_SKEW})")
    ap.add_argument("--noise", type=float, default=0.001, help="share of pixels that are dark specks")
    ap.add_argument("--blur", type=float, default=0.8, help="Gaussian blur radius, pixels")
    ap.add_argument("--quality", type=int, default=60, help="JPEG quality")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = scan(args.src, args.dst, dpi=args.dpi, skew=args.skew, noise=args.noise, blur=args.blur,
             quality=args.quality, seed=args.seed)
    print(f"{args.dst}: {n} pages, {args.dst.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
