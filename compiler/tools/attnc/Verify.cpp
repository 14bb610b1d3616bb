#include "Verify.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

namespace attn::driver {

using Kind = llvm::SourceMgr::DiagKind;

namespace {

const char *kind_name(Kind kind) {
  switch (kind) {
  case llvm::SourceMgr::DK_Error:
    return "error";
  case llvm::SourceMgr::DK_Warning:
    return "warning";
  case llvm::SourceMgr::DK_Note:
    return "note";
  case llvm::SourceMgr::DK_Remark:
    return "remark";
  }
  return "diagnostic";
}

Kind kind_of(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return llvm::SourceMgr::DK_Error;
  case mlir::DiagnosticSeverity::Warning:
    return llvm::SourceMgr::DK_Warning;
  case mlir::DiagnosticSeverity::Note:
    return llvm::SourceMgr::DK_Note;
  case mlir::DiagnosticSeverity::Remark:
    return llvm::SourceMgr::DK_Remark;
  }
  return llvm::SourceMgr::DK_Error;
}

Kind kind_of(llvm::StringRef name) {
  return llvm::StringSwitch<Kind>(name)
      .Case("warning", llvm::SourceMgr::DK_Warning)
      .Case("note", llvm::SourceMgr::DK_Note)
      .Case("remark", llvm::SourceMgr::DK_Remark)
      .Default(llvm::SourceMgr::DK_Error);
}

/// One expectation: `expected-KIND[@WHERE] [COUNT] {{TEXT}}`.
struct Directive {
  llvm::StringRef kind, where, text;
  int offset = 0;
  unsigned count = 1;
  bool known_kind = false;
};

/// Parses the directive at the start of `text` and moves `text` past it (or past its
/// `expected-` when it is malformed).
bool parse_directive(llvm::StringRef &text, Directive &d) {
  text = text.drop_front(llvm::StringRef("expected-").size());
  llvm::StringRef s = text;
  d.kind = s.take_while(llvm::isAlpha);
  s = s.drop_front(d.kind.size());
  d.known_kind = d.kind == "error" || d.kind == "warning" || d.kind == "note" || d.kind == "remark";
  if (!d.known_kind)
    return false;
  if (s.consume_front("@")) {
    d.where = s.take_until([](char c) { return c == ' ' || c == '{'; });
    s = s.drop_front(d.where.size());
    llvm::StringRef number = d.where;
    bool relative = number.consume_front("+") || number.startswith("-");
    if (d.where != "unknown" && (!relative || number.getAsInteger(10, d.offset)))
      return false;
  }
  s = s.ltrim(' ');
  if (llvm::StringRef digits = s.take_while(llvm::isDigit); !digits.empty()) {
    if (digits.getAsInteger(10, d.count) || d.count == 0)
      return false;
    s = s.drop_front(digits.size()).ltrim(' ');
  }
  size_t close = s.find("}}");
  if (!s.consume_front("{{") || close == llvm::StringRef::npos)
    return false;
  d.text = s.take_front(close - 2);
  text = s.drop_front(close);
  return true;
}

} // namespace

DiagnosticVerifier::DiagnosticVerifier(llvm::SourceMgr &source_mgr, mlir::MLIRContext &context,
                                       dsl::DiagnosticEngine &diag)
    : source_mgr_(source_mgr), context_(context) {
  diag.set_consumer([this](const llvm::SMDiagnostic &d) { add_frontend(d); });
  // Registered after the printing handler, so it is asked first, and it takes every diagnostic.
  handler_ = context_.getDiagEngine().registerHandler([this](mlir::Diagnostic &d) {
    add_mlir(d);
    return mlir::success();
  });
}

DiagnosticVerifier::~DiagnosticVerifier() { context_.getDiagEngine().eraseHandler(handler_); }

void DiagnosticVerifier::add(Kind kind, llvm::SmallVector<llvm::SMLoc, 2> frames,
                             const std::string &message, int parent, std::string file) {
  if (kind != llvm::SourceMgr::DK_Note)
    parent = -1;
  reported_.push_back({kind, std::move(frames), parent, std::move(file), message});
  if (kind != llvm::SourceMgr::DK_Note)
    last_primary_ = static_cast<int>(reported_.size()) - 1;
}

void DiagnosticVerifier::add_unlocated(Kind kind, const std::string &message) {
  add(kind, {}, message, last_primary_);
}

void DiagnosticVerifier::add_frontend(const llvm::SMDiagnostic &d) {
  llvm::SmallVector<llvm::SMLoc, 2> frames;
  if (d.getLoc().isValid())
    frames.push_back(d.getLoc());
  add(d.getKind(), std::move(frames), d.getMessage().str(), last_primary_,
      d.getLoc().isValid() ? "" : d.getFilename().str());
}

void DiagnosticVerifier::add_frames(mlir::Location loc,
                                    llvm::SmallVector<llvm::SMLoc, 2> &frames) const {
  if (auto call = loc.dyn_cast<mlir::CallSiteLoc>()) {
    add_frames(call.getCallee(), frames);
    add_frames(call.getCaller(), frames);
  } else if (auto name = loc.dyn_cast<mlir::NameLoc>()) {
    add_frames(name.getChildLoc(), frames);
  } else if (auto fused = loc.dyn_cast<mlir::FusedLoc>()) {
    if (!fused.getLocations().empty())
      add_frames(fused.getLocations().front(), frames);
  } else if (auto file = loc.dyn_cast<mlir::FileLineColLoc>()) {
    for (unsigned id = 1; id <= source_mgr_.getNumBuffers(); ++id)
      if (source_mgr_.getMemoryBuffer(id)->getBufferIdentifier() == file.getFilename().getValue()) {
        llvm::SMLoc at = source_mgr_.FindLocForLineAndColumn(id, file.getLine(), file.getColumn());
        if (at.isValid())
          frames.push_back(at);
        return;
      }
  }
}

void DiagnosticVerifier::add_mlir(mlir::Diagnostic &d) {
  llvm::SmallVector<llvm::SMLoc, 2> frames;
  add_frames(d.getLocation(), frames);
  add(kind_of(d.getSeverity()), std::move(frames), d.str(), last_primary_);
  int primary = static_cast<int>(reported_.size()) - 1;
  for (mlir::Diagnostic &note : d.getNotes()) {
    llvm::SmallVector<llvm::SMLoc, 2> note_frames;
    add_frames(note.getLocation(), note_frames);
    add(llvm::SourceMgr::DK_Note, std::move(note_frames), note.str(), primary);
  }
}

bool DiagnosticVerifier::parse_expectations(llvm::raw_ostream &os) {
  bool ok = true;
  verified_buffer_.assign(source_mgr_.getNumBuffers() + 1, false);
  for (unsigned id = 1; id <= source_mgr_.getNumBuffers(); ++id) {
    verified_buffer_[id] = id == 1;
    llvm::StringRef text = source_mgr_.getMemoryBuffer(id)->getBuffer();
    for (unsigned line = 1; !text.empty(); ++line) {
      auto [current, rest] = text.split('\n');
      text = rest;
      for (size_t at; (at = current.find("expected-")) != llvm::StringRef::npos;) {
        current = current.drop_front(at);
        llvm::SMLoc written = llvm::SMLoc::getFromPointer(current.data());
        Directive d;
        if (!parse_directive(current, d)) {
          if (d.known_kind) {
            source_mgr_.PrintMessage(os, written, llvm::SourceMgr::DK_Error,
                                     "malformed expectation: the form is "
                                     "expected-KIND[@+N|@-N|@unknown] [COUNT] {{text}}");
            ok = false;
          }
          continue;
        }
        Expected e;
        e.kind = kind_of(d.kind);
        e.written = written;
        e.text = d.text.str();
        if (d.where != "unknown") {
          e.buffer = id;
          e.line = static_cast<unsigned>(static_cast<int>(line) + d.offset);
        }
        for (unsigned i = 0; i < d.count; ++i)
          expected_.push_back(e);
        verified_buffer_[id] = true;
      }
    }
  }
  return ok;
}

llvm::SMLoc DiagnosticVerifier::place(const Reported &r) const {
  for (llvm::SMLoc frame : r.frames)
    if (verified_buffer_[source_mgr_.FindBufferContainingLoc(frame)])
      return frame;
  if (r.kind == llvm::SourceMgr::DK_Note && r.parent >= 0)
    return place(reported_[r.parent]);
  return r.frames.empty() ? llvm::SMLoc() : r.frames.front();
}

bool DiagnosticVerifier::match(const Reported &r) {
  llvm::SMLoc at = place(r);
  unsigned buffer = at.isValid() ? source_mgr_.FindBufferContainingLoc(at) : 0;
  unsigned line = buffer ? source_mgr_.getLineAndColumn(at, buffer).first : 0;
  for (Expected &e : expected_)
    if (!e.met && e.kind == r.kind && e.buffer == buffer && e.line == line &&
        llvm::StringRef(r.message).contains(e.text)) {
      e.met = true;
      return true;
    }
  return false;
}

bool DiagnosticVerifier::verify(llvm::raw_ostream &os) {
  bool ok = parse_expectations(os);
  for (const Reported &r : reported_) {
    if (match(r))
      continue;
    ok = false;
    std::string message = std::string("unexpected ") + kind_name(r.kind) + ": " + r.message;
    llvm::SMLoc at = place(r);
    if (at.isValid())
      source_mgr_.PrintMessage(os, at, llvm::SourceMgr::DK_Error, message);
    else
      os << (r.file.empty() ? "attnc" : r.file) << ": error: " << message << "\n";
  }
  for (const Expected &e : expected_) {
    if (e.met)
      continue;
    ok = false;
    unsigned buffer = source_mgr_.FindBufferContainingLoc(e.written);
    auto file = source_mgr_.getMemoryBuffer(buffer)->getBufferIdentifier();
    unsigned line = e.buffer ? e.line : source_mgr_.getLineAndColumn(e.written, buffer).first;
    os << file << ":" << line << ": error: expected " << kind_name(e.kind) << " \"" << e.text
       << "\"" << (e.buffer ? "" : " with no line") << " was not produced\n";
  }
  return ok;
}

} // namespace attn::driver
