#include "Heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

// stb_easy_font defines only static functions, some of which this file does not call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop
#include <stb_image_write.h>

namespace attn::driver {

namespace {

// Text is drawn at twice stb_easy_font's size: its glyphs are about 5 × 7 pixels.
constexpr int kScale = 2;
constexpr int kLineHeight = 9 * kScale; // one line of text and a little space
constexpr int kMargin = 8;
constexpr size_t kMaxLabel = 12; // longer labels are cut, ending in '~'

/// An RGB canvas.
struct Image {
  int width, height;
  std::vector<unsigned char> pixels;
  Image(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 3, 255) {}
  void set(int x, int y, const unsigned char rgb[3]) {
    if (x < 0 || y < 0 || x >= width || y >= height)
      return;
    std::memcpy(&pixels[(static_cast<size_t>(y) * width + x) * 3], rgb, 3);
  }
  void fill(int x0, int y0, int w, int h, const unsigned char rgb[3]) {
    for (int y = y0; y < y0 + h; ++y)
      for (int x = x0; x < x0 + w; ++x)
        set(x, y, rgb);
  }
};

/// stb_easy_font draws printable ASCII only; anything else (bytes of UTF-8 tokens) is '?'.
std::string printable(const std::string &text) {
  std::string out;
  for (char c : text)
    out += c >= 32 && c < 127 ? c : '?';
  return out;
}

/// An axis label: printable, and cut to kMaxLabel characters so one long token does not
/// widen the whole image.
std::string label(const std::string &text) {
  std::string out = printable(text);
  if (out.size() > kMaxLabel)
    out = out.substr(0, kMaxLabel - 1) + "~";
  return out;
}

/// The width in pixels of `text` as drawn.
int text_width(const std::string &text) {
  std::string s = printable(text);
  return stb_easy_font_width(s.data()) * kScale;
}

/// Draws `text` with its top-left corner at (x, y); `vertical` turns it a quarter anticlockwise
/// (read from the bottom up), with (x, y) then its bottom-left corner.
void draw_text(Image &image, int x, int y, const std::string &text, bool vertical = false) {
  static const unsigned char black[3] = {0, 0, 0};
  std::string s = printable(text);
  std::vector<char> quads(s.size() * 400 + 64);
  int n =
      stb_easy_font_print(0, 0, s.data(), nullptr, quads.data(), static_cast<int>(quads.size()));
  for (int q = 0; q < n; ++q) {
    // Four vertices of 16 bytes (x, y, z as floats, then a colour), an axis-aligned rectangle.
    float corners[4][2];
    for (int v = 0; v < 4; ++v)
      std::memcpy(corners[v], &quads[(q * 4 + v) * 16], sizeof(corners[v]));
    int x0 = static_cast<int>(std::lround(std::min(corners[0][0], corners[2][0]) * kScale));
    int x1 = static_cast<int>(std::lround(std::max(corners[0][0], corners[2][0]) * kScale));
    int y0 = static_cast<int>(std::lround(std::min(corners[0][1], corners[2][1]) * kScale));
    int y1 = static_cast<int>(std::lround(std::max(corners[0][1], corners[2][1]) * kScale));
    for (int ty = y0; ty < y1; ++ty)
      for (int tx = x0; tx < x1; ++tx) {
        if (vertical)
          image.set(x + ty, y - tx, black);
        else
          image.set(x + tx, y + ty, black);
      }
  }
}

/// How many rows (or columns) of `cell` pixels one label needs, so labels do not overlap.
int label_stride(int cell) { return std::max(1, (kLineHeight + cell - 1) / cell); }

std::string format_value(float v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3g", v);
  return buffer;
}

} // namespace

void heatmap_colour(float t, unsigned char rgb[3]) {
  // viridis at 0, 1/4, 1/2, 3/4 and 1, interpolated linearly between.
  static const float stops[5][3] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!(t > 0.0f)) // also NaN
    t = 0.0f;
  t = std::min(t, 1.0f) * 4.0f;
  int k = std::min(3, static_cast<int>(t));
  float f = t - static_cast<float>(k);
  for (int c = 0; c < 3; ++c)
    rgb[c] =
        static_cast<unsigned char>(std::lround(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f));
}

bool write_heatmap_png(const std::string &path, const HeatmapSpec &spec, HeatmapLayout *layout,
                       std::string *error) {
  const int rows = spec.rows, cols = spec.cols;
  // Cells of at least one pixel, and big enough that the plot is about 512 pixels across.
  const int cell = std::clamp(512 / std::max({rows, cols, 1}), 1, 32);
  int row_label_width = 0, col_label_width = 0;
  std::vector<std::string> row_labels, col_labels;
  for (const auto &l : spec.row_labels)
    row_labels.push_back(label(l));
  for (const auto &l : spec.col_labels)
    col_labels.push_back(label(l));
  row_labels.resize(rows);
  col_labels.resize(cols);
  for (const auto &l : row_labels)
    row_label_width = std::max(row_label_width, text_width(l));
  for (const auto &l : col_labels)
    col_label_width = std::max(col_label_width, text_width(l));
  const int bar_width = 16, bar_label_width = std::max(text_width("0.000"), text_width("1.00"));

  HeatmapLayout at;
  at.cell = cell;
  at.x = kMargin + kLineHeight + row_label_width + kMargin / 2; // axis title, labels, ticks
  at.y = kMargin + kLineHeight + kMargin;                       // the title
  const int plot_w = cols * cell, plot_h = rows * cell;
  const int title_w = text_width(spec.title);
  at.width = std::max(at.x + plot_w + kMargin * 2 + bar_width + 4 + bar_label_width + kMargin,
                      kMargin + title_w + kMargin);
  at.height = at.y + plot_h + kMargin / 2 + col_label_width + kMargin / 2 + kLineHeight + kMargin;
  Image image(at.width, at.height);

  float top = 0.0f;
  for (int i = 0; i < rows * cols; ++i)
    top = std::max(top, spec.values[i]);
  unsigned char rgb[3];
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      float v = spec.values[static_cast<size_t>(i) * cols + j];
      heatmap_colour(top > 0.0f ? v / top : 0.0f, rgb);
      image.fill(at.x + j * cell, at.y + i * cell, cell, cell, rgb);
    }

  draw_text(image, kMargin, kMargin, spec.title);
  // Row labels right-aligned against the plot, centred on their rows; column labels turned a
  // quarter, read upwards, under their columns.
  const int glyph_height = 7 * kScale;
  for (int i = 0; i < rows; i += label_stride(cell)) {
    const std::string &l = row_labels[i];
    int y = at.y + i * cell + (cell - glyph_height) / 2;
    draw_text(image, at.x - kMargin / 2 - text_width(l), y, l);
  }
  const int label_top = at.y + plot_h + kMargin / 2;
  for (int j = 0; j < cols; j += label_stride(cell)) {
    const std::string &l = col_labels[j];
    int x = at.x + j * cell + (cell - glyph_height) / 2;
    draw_text(image, x, label_top + text_width(l), l, /*vertical=*/true);
  }
  draw_text(image, at.x + (plot_w - text_width(spec.col_axis)) / 2,
            label_top + col_label_width + kMargin / 2, spec.col_axis);
  draw_text(image, kMargin, at.y + (plot_h + text_width(spec.row_axis)) / 2, spec.row_axis,
            /*vertical=*/true);

  // The colour bar: the largest value at the top, 0 at the bottom.
  const int bar_x = at.x + plot_w + kMargin * 2;
  for (int y = 0; y < plot_h; ++y) {
    heatmap_colour(plot_h > 1 ? 1.0f - static_cast<float>(y) / (plot_h - 1) : 1.0f, rgb);
    image.fill(bar_x, at.y + y, bar_width, 1, rgb);
  }
  draw_text(image, bar_x + bar_width + 4, at.y, format_value(top));
  draw_text(image, bar_x + bar_width + 4, at.y + plot_h - glyph_height, "0");

  if (!stbi_write_png(path.c_str(), at.width, at.height, 3, image.pixels.data(), at.width * 3)) {
    *error = "cannot write " + path;
    return false;
  }
  if (layout)
    *layout = at;
  return true;
}

} // namespace attn::driver
