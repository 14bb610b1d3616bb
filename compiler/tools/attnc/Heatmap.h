// Heatmap images of attention maps (`attnc run --dump-attention`): a matrix of weights drawn as
// coloured cells, the queries down the left axis and the keys along the bottom, each axis
// labelled (tokens or positions) and titled, a title above and a colour bar on the right, written
// as an RGB PNG. Text uses stb_easy_font's built-in stroke font and the PNG is encoded by
// stb_image_write (Debian's libstb-dev), so nothing outside the product's packages is needed.
#pragma once

#include <string>
#include <vector>

namespace attn::driver {

/// Where the plot lies in a heatmap image, in pixels: cell (i, j) covers columns
/// x + j*cell .. x + (j+1)*cell - 1 and rows y + i*cell .. y + (i+1)*cell - 1.
struct HeatmapLayout {
  int width = 0, height = 0; // the whole image
  int x = 0, y = 0, cell = 0;
};

struct HeatmapSpec {
  const float *values = nullptr; // rows × cols, row-major
  int rows = 0, cols = 0;
  std::vector<std::string> row_labels, col_labels; // one per row / column
  std::string title;
  std::string row_axis = "queries", col_axis = "keys";
};

/// The colour of `t` in [0, 1] (clamped) on the colour scale: dark purple at 0 to yellow at 1,
/// brightness increasing throughout (viridis' end points and three points between).
void heatmap_colour(float t, unsigned char rgb[3]);

/// Renders `spec` and writes it to `path` as PNG. The colour scale runs from 0 to the matrix's
/// largest value. Returns false and sets `error` when the file cannot be written.
bool write_heatmap_png(const std::string &path, const HeatmapSpec &spec, HeatmapLayout *layout,
                       std::string *error);

} // namespace attn::driver
