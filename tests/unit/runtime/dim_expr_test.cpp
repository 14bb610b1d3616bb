#include "attn/dim_expr.h"

#include <gtest/gtest.h>

namespace attn {
namespace {

int64_t eval(const std::string &text, const SymbolTable &symbols) {
  StatusOr<DimExpr> e = DimExpr::parse(text);
  EXPECT_TRUE(e.ok()) << e.status().to_string();
  StatusOr<int64_t> v = e->evaluate(symbols);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  return v.ok() ? *v : -1;
}

TEST(DimExpr, ParsesTheForms) {
  EXPECT_TRUE(DimExpr::parse("B")->is_symbol());
  EXPECT_EQ(DimExpr::parse("Sq")->symbol(), "Sq");
  EXPECT_TRUE(DimExpr::parse("40")->is_constant());
  EXPECT_EQ(DimExpr::parse("40")->constant_value(), 40);
  EXPECT_FALSE(DimExpr::parse("B*Sq")->is_symbol());
  EXPECT_EQ(DimExpr::parse("B * Sq")->to_string(), "B*Sq");
  EXPECT_EQ(DimExpr::parse("2*S")->to_string(), "2*S");
  EXPECT_EQ(DimExpr::parse("S/4")->to_string(), "S/4");
  EXPECT_EQ(DimExpr::parse("2*B*3")->to_string(), "6*B");
  EXPECT_EQ(DimExpr::constant(7).to_string(), "7");
  EXPECT_EQ(*DimExpr::parse("B*S"), *DimExpr::parse("B * S"));
  std::vector<std::string> syms = DimExpr::parse("B*num_heads*S")->symbols();
  EXPECT_EQ(syms, (std::vector<std::string>{"B", "num_heads", "S"}));
}

TEST(DimExpr, EvaluatesProductsAndExactDivision) {
  SymbolTable s = {{"B", 2}, {"S", 12}, {"H", 3}};
  EXPECT_EQ(eval("B", s), 2);
  EXPECT_EQ(eval("B*S", s), 24);
  EXPECT_EQ(eval("2*S", s), 24);
  EXPECT_EQ(eval("B*H*S", s), 72);
  EXPECT_EQ(eval("S/4", s), 3);
  EXPECT_EQ(eval("B*S/8", s), 3);
  EXPECT_EQ(eval("40", s), 40);
  EXPECT_EQ(eval("S/1", s), 12);
}

TEST(DimExpr, EvaluatesSumsAndDifferences) {
  SymbolTable s = {{"B", 2}, {"T", 5}};
  EXPECT_EQ(eval("T+1", s), 6);
  EXPECT_EQ(eval("T-1", s), 4);
  EXPECT_EQ(eval("B*T+B", s), 12);
  EXPECT_EQ(eval("T+T-3", s), 7);
  EXPECT_EQ(DimExpr::parse("T + 1")->to_string(), "T+1");
  EXPECT_FALSE(DimExpr::parse("T+1")->is_constant());
  EXPECT_FALSE(DimExpr::parse("T-1")->is_symbol());
  EXPECT_EQ(DimExpr::parse("B*T+B")->symbols(), (std::vector<std::string>{"B", "T", "B"}));
}

TEST(DimExpr, FloorsRoundDown) {
  // The output sizes of strided convolutions and poolings (SymShape's floor_divide).
  EXPECT_EQ(eval("floor((H+1)/2)", {{"H", 7}}), 4);
  EXPECT_EQ(eval("floor((H+1)/2)", {{"H", 8}}), 4);
  EXPECT_EQ(eval("floor(H/4)", {{"H", 22}}), 5);
  EXPECT_EQ(eval("floor((H+1)/2)-3", {{"H", 6}}), 0);
  EXPECT_EQ(eval("floor((H-3)/2)+1", {{"H", 1}}), 0); // a floor of a negative numerator
  EXPECT_EQ(eval("floor((H+1)/2)*floor((W+1)/2)", {{"H", 5}, {"W", 8}}), 12);
  EXPECT_EQ(eval("B*floor(floor(H/2)/2)", {{"B", 3}, {"H", 11}}), 6);
  EXPECT_EQ(eval("2*floor((2*H+1)/4)/2", {{"H", 5}}), 2);
  EXPECT_EQ(eval("floor*2", {{"floor", 3}}), 6); // a symbol of that name
  auto e = DimExpr::parse("B * floor( (H + 1) / 2 )");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->to_string(), "B*floor((H+1)/2)");
  EXPECT_EQ(e->symbols(), (std::vector<std::string>{"B", "H"}));
  EXPECT_FALSE(e->is_symbol());
  EXPECT_EQ(DimExpr::parse("floor(H/4)")->to_string(), "floor(H/4)");
  StatusOr<int64_t> v = DimExpr::parse("floor((H+1)/2)-3")->evaluate({{"H", 2}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "dim expression 'floor((H+1)/2)-3' is negative (-2) with H = 2");
  for (const char *bad : {"floor(H)", "floor(H/0)", "floor((H+1)/2", "floor(H/2", "floor(/2)",
                          "floor((H)/S)", "floor(H+1/2)"}) {
    StatusOr<DimExpr> f = DimExpr::parse(bad);
    EXPECT_FALSE(f.ok()) << "'" << bad << "' parsed";
  }
}

TEST(DimExpr, NegativeSizeIsAnError) {
  StatusOr<int64_t> v = DimExpr::parse("S-1")->evaluate({{"S", 0}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "dim expression 'S-1' is negative (-1) with S = 0");
}

TEST(DimExpr, InexactDivisionIsAnErrorNamingTheValues) {
  StatusOr<int64_t> v = DimExpr::parse("S/4")->evaluate({{"S", 10}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::InvalidInput);
  EXPECT_EQ(v.status().message(),
            "dim expression 'S/4' is not exact with S = 10: 10 is not divisible by 4");
}

TEST(DimExpr, UnknownSymbolIsAnError) {
  StatusOr<int64_t> v = DimExpr::parse("B*T")->evaluate({{"B", 2}});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "unknown symbol 'T' in dim expression 'B*T'");
}

TEST(DimExpr, OverflowIsAnError) {
  StatusOr<int64_t> v =
      DimExpr::parse("A*B")->evaluate({{"A", int64_t(1) << 40}, {"B", int64_t(1) << 40}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("overflows"), std::string::npos);
}

TEST(DimExpr, RejectsMalformedText) {
  for (const char *bad : {"", "B*", "*B", "B/", "B/0", "B/S", "0*B", "B+", "-B", "B++S", "B S",
                          "4/2/2", "S/-1", "(B)"}) {
    StatusOr<DimExpr> e = DimExpr::parse(bad);
    EXPECT_FALSE(e.ok()) << "'" << bad << "' parsed";
    if (!e.ok()) {
      EXPECT_NE(e.status().message().find(std::string("'") + bad + "'"), std::string::npos)
          << e.status().message();
    }
  }
}

} // namespace
} // namespace attn
