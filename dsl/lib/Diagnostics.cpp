#include "attn/dsl/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"

namespace attn::dsl {

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &source_mgr, llvm::raw_ostream &os)
    : source_mgr_(source_mgr), os_(os) {}

namespace {

/// A string stream that keeps the colours of the terminal it is copied to.
class ColouredString : public llvm::raw_string_ostream {
public:
  ColouredString(std::string &text, bool colours) : llvm::raw_string_ostream(text) {
    enable_colors(colours);
  }
  bool has_colors() const override { return colors_enabled(); }
};

} // namespace

void DiagnosticEngine::print(llvm::SMRange range, llvm::SourceMgr::DiagKind kind,
                             const llvm::Twine &message) {
  if (!range.Start.isValid()) {
    emit(llvm::SMDiagnostic(/*filename=*/"", kind, message.str()));
    return;
  }
  // Only the part of the range on the first line is underlined; a range reaching past the
  // end of the buffer (the end-of-file token) is clipped to a point.
  llvm::SmallVector<llvm::SMRange, 1> ranges;
  if (range.End.isValid() && range.End.getPointer() > range.Start.getPointer())
    ranges.push_back(range);
  emit(source_mgr_.GetMessage(range.Start, kind, message, ranges));
}

void DiagnosticEngine::emit(const llvm::SMDiagnostic &diagnostic) {
  if (consumer_) {
    consumer_(diagnostic);
    return;
  }
  // Past the limit, errors and their notes are counted but not shown.
  if (error_count_ > kMaxPrintedErrors) {
    if (error_count_ == kMaxPrintedErrors + 1 && diagnostic.getKind() == llvm::SourceMgr::DK_Error)
      os_ << "error: too many errors; the rest are not shown\n";
    return;
  }
  // One write per diagnostic: the stream may be unbuffered, and a line may be megabytes long.
  std::string text;
  ColouredString buffer(text, os_.has_colors());
  diagnostic.print(/*ProgName=*/nullptr, buffer);
  os_ << buffer.str();
}

void DiagnosticEngine::error(llvm::SMRange range, const llvm::Twine &message) {
  ++error_count_;
  print(range, llvm::SourceMgr::DK_Error, message);
}

void DiagnosticEngine::warning(llvm::SMRange range, const llvm::Twine &message) {
  ++warning_count_;
  print(range, llvm::SourceMgr::DK_Warning, message);
}

void DiagnosticEngine::note(llvm::SMRange range, const llvm::Twine &message) {
  print(range, llvm::SourceMgr::DK_Note, message);
}

void DiagnosticEngine::error(const llvm::Twine &message) {
  ++error_count_;
  print(llvm::SMRange(), llvm::SourceMgr::DK_Error, message);
}

void DiagnosticEngine::note(const llvm::Twine &message) {
  print(llvm::SMRange(), llvm::SourceMgr::DK_Note, message);
}

void DiagnosticEngine::file_error(llvm::StringRef file, const llvm::Twine &message) {
  ++error_count_;
  emit(llvm::SMDiagnostic(file, llvm::SourceMgr::DK_Error, message.str()));
}

LineCol DiagnosticEngine::resolve(llvm::SMLoc loc) const {
  LineCol result;
  if (!loc.isValid())
    return result;
  unsigned buffer = source_mgr_.FindBufferContainingLoc(loc);
  if (buffer == 0)
    return result;
  result.file = source_mgr_.getMemoryBuffer(buffer)->getBufferIdentifier().str();
  auto [line, col] = source_mgr_.getLineAndColumn(loc, buffer);
  result.line = line;
  result.col = col;
  return result;
}

std::string closest_name(llvm::StringRef name, llvm::ArrayRef<std::string> candidates) {
  // One edit for short names; for longer ones a swap of two letters (two edits) or a third of
  // the name.
  unsigned allowed = name.size() <= 3 ? 1 : std::max<unsigned>(2, name.size() / 3);
  std::string best;
  unsigned best_distance = allowed + 1;
  for (const std::string &candidate : candidates) {
    if (candidate == name)
      continue;
    unsigned distance = name.edit_distance(candidate, /*AllowReplacements=*/true, allowed + 1);
    // Names differing only in case are always likely typos.
    if (name.equals_insensitive(candidate))
      distance = 1;
    // A name must keep something of itself: 'y' is no typo of 'd'.
    else if (distance >= name.size())
      continue;
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

void suggest(DiagnosticEngine &diag, llvm::StringRef name, llvm::ArrayRef<std::string> candidates) {
  std::string best = closest_name(name, candidates);
  if (!best.empty())
    diag.note("did you mean '" + best + "'?");
}

} // namespace attn::dsl
