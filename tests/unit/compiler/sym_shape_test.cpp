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
