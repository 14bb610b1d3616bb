#include "attn/compiler/SymShape.h"

#include <gtest/gtest.h>

using attn::compiler::SymDim;

TEST(SymDim, ParsesAndPrintsCanonically) {
  EXPECT_EQ(SymDim::parse("40")->str(), "40");
  EXPECT_EQ(SymDim::parse("Sq*B")->str(), "B*Sq");
  EXPECT_EQ(SymDim::parse("2*S")->str(), "2*S");
  EXPECT_EQ(SymDim::parse("S/4")->str(), "S/4");
  EXPECT_EQ(SymDim::parse("4*S/2")->str(), "2*S");
  EXPECT_FALSE(SymDim::parse(""));
  EXPECT_FALSE(SymDim::parse("B*"));
  EXPECT_FALSE(SymDim::parse("B/0"));
  EXPECT_FALSE(SymDim::parse("3-B"));
}

TEST(SymDim, EqualityIsByExpression) {
  EXPECT_EQ(*SymDim::parse("B*S"), *SymDim::parse("S*B"));
  EXPECT_NE(SymDim::symbol("Sq"), SymDim::symbol("Sk"));
  EXPECT_NE(SymDim::symbol("S"), SymDim::constant(1));
}

TEST(SymDim, MultipliesAndDivides) {
  SymDim bs = SymDim::symbol("B") * SymDim::symbol("S");
  EXPECT_EQ(bs.str(), "B*S");
  EXPECT_EQ(bs.divide(SymDim::symbol("S"))->str(), "B");
  EXPECT_FALSE(bs.divide(SymDim::symbol("T")));
  EXPECT_EQ(SymDim::constant(40).divide(5)->value(), 8);
  EXPECT_FALSE(SymDim::constant(40).divide(3));
  EXPECT_EQ((SymDim::symbol("H") * SymDim::constant(8)).str(), "8*H");
  EXPECT_EQ(SymDim::symbol("S").divide(4)->str(), "S/4");
}

TEST(SymDim, AddsAndSubtractsForConcatAndSlices) {
  SymDim t = SymDim::symbol("T");
  EXPECT_EQ((t + SymDim::constant(1)).str(), "T+1");
  EXPECT_EQ((t - SymDim::constant(1)).str(), "T-1");
  EXPECT_EQ((t + t).str(), "2*T");
  EXPECT_EQ((t + SymDim::constant(1) - t).str(), "1");
  EXPECT_TRUE((t + SymDim::constant(1) - t).is_static());
  EXPECT_EQ((SymDim::symbol("B") * (t + SymDim::constant(1))).str(), "B*T+B");
  EXPECT_EQ((SymDim::symbol("S") + t).str(), "S+T");
  EXPECT_TRUE((t - SymDim::constant(3)).is_size());
  EXPECT_FALSE((SymDim::constant(3) - t).is_size());
  EXPECT_FALSE((SymDim::constant(2) - SymDim::constant(3)).is_size());
  EXPECT_EQ(*SymDim::parse("T+1"), t + SymDim::constant(1));
  EXPECT_EQ(SymDim::parse("B*T+B")->str(), "B*T+B");
  EXPECT_EQ(SymDim::parse("1+T")->str(), "T+1");
  EXPECT_EQ(SymDim::parse("S-1")->str(), "S-1");
  EXPECT_EQ((SymDim::constant(2) * t + SymDim::constant(4)).divide(2)->str(), "T+2");
  EXPECT_FALSE((t + SymDim::constant(1)).divide(2));
  EXPECT_EQ((SymDim::symbol("B") * t + SymDim::symbol("B")).divide(SymDim::symbol("B"))->str(),
            "T+1");
}

TEST(SymDim, FloorDivisionForStridedSizes) {
  SymDim h = SymDim::symbol("H");
  auto conv = [](SymDim in, int64_t kernel, int64_t stride, int64_t padding) {
    return (in + SymDim::constant(2 * padding - kernel)).floor_divide(stride) + SymDim::constant(1);
  };
  // Stride 1 needs no floor; stride 2 with kernel 3, padding 1 is ceil(H/2) = floor((H+1)/2).
  EXPECT_EQ(conv(h, 3, 1, 1).str(), "H");
  EXPECT_EQ(conv(h, 3, 2, 1).str(), "floor((H+1)/2)");
  EXPECT_EQ(conv(h, 4, 4, 0).str(), "floor(H/4)");
  EXPECT_EQ(conv(h, 2, 2, 0).floor_divide(1).str(), "floor(H/2)");
  // Pooling twice by 2 is one floor by 4; a common factor cancels; exact quotients stay exact.
  EXPECT_EQ(conv(conv(h, 2, 2, 0), 2, 2, 0).str(), "floor(H/4)");
  EXPECT_EQ((SymDim::constant(2) * h + SymDim::constant(1)).floor_divide(4).str(),
            "floor((2*H+1)/4)");
  EXPECT_EQ((SymDim::constant(2) * h + SymDim::constant(2)).floor_divide(4).str(),
            "floor((H+1)/2)");
  EXPECT_EQ((SymDim::constant(4) * h + SymDim::constant(6)).floor_divide(2).str(), "2*H+3");
  EXPECT_EQ((h - SymDim::constant(5)).floor_divide(2).str(), "floor((H+1)/2)-3");
  EXPECT_EQ(SymDim::constant(-5).floor_divide(2).value(), -3);
  EXPECT_EQ(SymDim::constant(7).floor_divide(2).value(), 3);
  // Floors are factors: they multiply (a flattened grid), print, parse back and compare.
  SymDim grid = conv(h, 3, 2, 1) * conv(SymDim::symbol("W"), 3, 2, 1);
  EXPECT_EQ(grid.str(), "floor((H+1)/2)*floor((W+1)/2)");
  EXPECT_EQ(*SymDim::parse(grid.str()), grid);
  EXPECT_EQ(grid.symbols(), (std::vector<std::string>{"H", "W"}));
  EXPECT_TRUE(grid.is_size());
  EXPECT_EQ(SymDim::parse("floor(H/4)")->str(), "floor(H/4)");
  EXPECT_EQ(SymDim::parse("floor((H+5)/2)")->str(), "floor((H+1)/2)+2");
  EXPECT_EQ(SymDim::parse("floor(floor(H/2)/2)")->str(), "floor(H/4)");
  EXPECT_EQ(SymDim::parse("2*floor(H/3)+1")->str(), "2*floor(H/3)+1");
  EXPECT_EQ(SymDim::parse("floor")->str(), "floor"); // a symbol of that name
  EXPECT_NE(conv(h, 3, 2, 1), conv(h, 3, 2, 0));
  for (const char *bad : {"floor(H)", "floor(H/0)", "floor((H+1)/2", "floor(H/2", "floor(/2)"})
    EXPECT_FALSE(SymDim::parse(bad)) << bad;
}
