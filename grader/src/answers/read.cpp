#include "grader/answers/read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "../text.hpp"

namespace grader {

namespace {

/// How much of a student's bytes an error message quotes.
constexpr std::size_t kQuoteBytes = 40;

std::string shown(std::string_view s) { return one_line(s, kQuoteBytes); }

/// Parses a decimal number token, accepting nan/inf as NumPy writes them.
std::optional<double> parse_number(std::string_view token) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec == std::errc() && end == token.data() + token.size()) return value;
  return std::nullopt;
}

/// Whole numbers separated by runs of `separators`; at most max_count + 1 of them are read (enough
/// to tell that there are too many). Nothing when one is not a number.
std::optional<std::vector<std::size_t>> parse_sizes(std::string_view text, std::string_view separators,
                                                    std::size_t max_count) {
  std::vector<std::size_t> sizes;
  while (sizes.size() <= max_count) {
    const auto start = text.find_first_not_of(separators);
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    std::size_t d = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    sizes.push_back(d);
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  }
  return sizes;
}

/// Data bytes that must follow a header: count * item_size, refusing overflow.
std::size_t data_bytes(const Shape& shape, std::size_t item_size) {
  const auto n = element_count_within_limit(shape);
  if (!n || *n > std::numeric_limits<std::size_t>::max() / item_size)
    throw ReadError("declares shape " + format_shape(shape) + ", far too large");
  return *n * item_size;
}

// ---- NumPy -------------------------------------------------------------------------------

struct NpyHeader {
  char byte_order = '<';
  char kind = 'f';
  std::size_t item_size = 8;
  bool fortran_order = false;
  Shape shape;
  std::size_t data_offset = 0;  ///< where the data starts in the file
};

/// Extracts the value text of `'key': value` from the header dictionary.
std::string dict_value(std::string_view header, const std::string& key) {
  const std::string quotes[] = {"'" + key + "'", "\"" + key + "\""};
  // NumPy takes the last of a key given twice, this parser the first: neither, then.
  std::size_t given = 0;
  for (const auto& q : quotes)
    for (auto k = header.find(q); k != std::string::npos; k = header.find(q, k + 1)) ++given;
  if (given > 1) throw ReadError("has a header that gives '" + key + "' twice; save the array again with numpy.save");
  for (const auto& q : quotes) {
    const auto k = header.find(q);
    if (k == std::string::npos) continue;
    auto colon = header.find(':', k + q.size());
    if (colon == std::string::npos) break;
    ++colon;
    while (colon < header.size() && header[colon] == ' ') ++colon;
    if (colon < header.size() && header[colon] == '(') {
      const auto close = header.find(')', colon);
      if (close == std::string::npos) break;
      return std::string(header.substr(colon, close - colon + 1));
    }
    auto end = header.find_first_of(",}", colon);
    if (end == std::string::npos) end = header.size();
    std::string v(header.substr(colon, end - colon));
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  }
  throw ReadError("the .npy header has no '" + key + "' entry; the file is not a NumPy array");
}

void parse_npy_dict(std::string_view header, NpyHeader& h) {
  std::string descr = dict_value(header, "descr");
  if (descr.size() < 3 || (descr.front() != '\'' && descr.front() != '"'))
    throw ReadError("holds a structured or unusual dtype (" + shown(descr) +
                    "); save a plain numeric array with numpy.save");
  descr = descr.substr(1, descr.size() - 2);
  h.byte_order = descr[0];
  h.kind = descr[1];
  if (h.kind == 'O')
    throw ReadError(
        "holds Python objects (dtype object); hand in real numbers: "
        "numpy.save(name, array.astype('float64'))");
  const auto [p, ec] = std::from_chars(descr.data() + 2, descr.data() + descr.size(), h.item_size);
  if (ec != std::errc() || p != descr.data() + descr.size() ||
      std::string("<>|=").find(h.byte_order) == std::string::npos)
    throw ReadError("has an unknown dtype '" + shown(descr) + "'");
  const bool supported = ((h.kind == 'f') && (h.item_size == 2 || h.item_size == 4 || h.item_size == 8)) ||
                         ((h.kind == 'i' || h.kind == 'u') &&
                          (h.item_size == 1 || h.item_size == 2 || h.item_size == 4 || h.item_size == 8)) ||
                         (h.kind == 'b' && h.item_size == 1);
  if (!supported) {
    const std::string why = h.kind == 'c'                    ? "complex numbers"
                            : h.kind == 'U' || h.kind == 'S' ? "text"
                                                             : "dtype '" + shown(descr) + "'";
    throw ReadError("holds " + why +
                    "; hand in real numbers (float32, float64 or integers): "
                    "numpy.save(name, array.astype('float64'))");
  }
  const std::string fortran = dict_value(header, "fortran_order");
  if (fortran != "True" && fortran != "False")
    throw ReadError("has a malformed fortran_order '" + shown(fortran) + "'");
  h.fortran_order = fortran == "True";
  const std::string shape = dict_value(header, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    throw ReadError("has a malformed shape '" + shown(shape) + "'");
  const auto sizes = parse_sizes(std::string_view(shape).substr(1, shape.size() - 2), " ,", kMaxRank);
  if (!sizes) throw ReadError("has a malformed shape '" + shown(shape) + "'");
  if (sizes->size() > kMaxRank)
    throw ReadError("has shape " + shown(shape) + " of rank " + std::to_string(sizes->size()) +
                    "; at most rank 3 is supported");
  h.shape = *sizes;
  // NumPy reads the header as a Python literal: 'desc\x72' and 'de' 'scr' are 'descr' to it,
  // a second 'descr' for this reader. A header as NumPy writes it has no backslash and eight
  // quotes (three keys, one dtype).
  if (header.find('\\') != std::string_view::npos ||
      std::count_if(header.begin(), header.end(), [](char c) { return c == '\'' || c == '"'; }) != 8)
    throw ReadError(
        "has a header NumPy would read otherwise (escapes, or text written in pieces); "
        "save the array again with numpy.save");
}

/// The header of a .npy image. With `partial`, `bytes` may be only the start of the file:
/// nothing is returned when the header does not end inside it.
std::optional<NpyHeader> npy_header(std::string_view bytes, bool partial) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, std::string_view(magic, 6)) != 0) {
    // What it is instead, where a habit makes it (found by a student helper: torch.save's file
    // named keys.npy was told to be saved with numpy.save, no more).
    std::string what;
    if (bytes.starts_with(std::string_view("PK\x03\x04", 4)))
      what = ": it is a zip archive, as torch.save and np.savez write them";
    else if (bytes.starts_with(std::string_view("\x80", 1)) && bytes.size() > 1 && bytes[1] >= 2 && bytes[1] <= 5)
      what = ": it is a pickle, as pickle.dump and an older torch.save write them";
    throw ReadError("is not a NumPy .npy file (it does not start with \\x93NUMPY)" + what +
                    "; save the array with numpy.save (a tensor: np.save(path, t.detach().numpy()))");
  }
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const int major = u[6];
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = u[8] | (std::size_t{u[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw ReadError("is truncated inside its header");
    header_len = u[8] | (std::size_t{u[9]} << 8) | (std::size_t{u[10]} << 16) | (std::size_t{u[11]} << 24);
    header_start = 12;
  } else {
    throw ReadError("uses .npy format version " + std::to_string(major) + ", which is not supported (1 to 3 are)");
  }
  if (header_len > bytes.size() - header_start) {
    if (partial) return std::nullopt;
    throw ReadError("is truncated inside its header");
  }
  NpyHeader h;
  parse_npy_dict(bytes.substr(header_start, header_len), h);
  h.data_offset = header_start + header_len;
  return h;
}

template <class T>
T load_as(const unsigned char* p, bool swap) {
  unsigned char buf[sizeof(T)];
  std::memcpy(buf, p, sizeof(T));
  if (swap) std::reverse(buf, buf + sizeof(T));
  T v;
  std::memcpy(&v, buf, sizeof(T));
  return v;
}

double half_to_double(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31)
    return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

double element(const unsigned char* p, const NpyHeader& h) {
  const bool little = std::endian::native == std::endian::little;
  const bool swap = h.item_size > 1 && ((h.byte_order == '<' && !little) || (h.byte_order == '>' && little));
  switch (h.kind) {
    case 'f':
      if (h.item_size == 2) return half_to_double(load_as<std::uint16_t>(p, swap));
      if (h.item_size == 4) return load_as<float>(p, swap);
      return load_as<double>(p, swap);
    case 'b':
      return *p ? 1.0 : 0.0;
    case 'i':
      switch (h.item_size) {
        case 1:
          return load_as<std::int8_t>(p, swap);
        case 2:
          return load_as<std::int16_t>(p, swap);
        case 4:
          return load_as<std::int32_t>(p, swap);
        default:
          return static_cast<double>(load_as<std::int64_t>(p, swap));
      }
    default:
      switch (h.item_size) {
        case 1:
          return load_as<std::uint8_t>(p, swap);
        case 2:
          return load_as<std::uint16_t>(p, swap);
        case 4:
          return load_as<std::uint32_t>(p, swap);
        default:
          return static_cast<double>(load_as<std::uint64_t>(p, swap));
      }
  }
}

/// Row-major values from column-major (Fortran) storage of a tensor of rank 0 to 3.
std::vector<double> from_column_major(const std::vector<double>& in, const Shape& shape) {
  if (in.empty()) return {};  // other sizes may be huge: (10^15, 0) holds nothing
  Shape dims = shape;
  dims.insert(dims.begin(), kMaxRank - dims.size(), 1);  // (a, b, c), leading 1s
  const std::size_t a = dims[0], b = dims[1], c = dims[2];
  std::vector<double> out(in.size());
  // Element [i, j, k] is at i*b*c + j*c + k in C order and at i + j*a + k*a*b in Fortran order.
  for (std::size_t i = 0; i < a; ++i)
    for (std::size_t j = 0; j < b; ++j)
      for (std::size_t k = 0; k < c; ++k) out[(i * b + j) * c + k] = in[i + (j + k * b) * a];
  return out;
}

// ---- Armadillo -------------------------------------------------------------------------

struct ArmaType {
  char kind;  // 'f', 'i', 'u'
  std::size_t size;
};

struct ArmaHeader {
  const ArmaType* type = nullptr;
  bool binary = false;
  bool cube = false;
  std::vector<std::size_t> sizes;  ///< rows, cols[, slices]
  Shape shape;                     ///< (rows, cols) or (slices, rows, cols)
  std::size_t data_offset = 0;
};

/// The two header lines of an Armadillo image. With `partial`, `bytes` may be only the start
/// of the file: nothing is returned when the header does not end inside it.
std::optional<ArmaHeader> arma_header(std::string_view bytes, bool partial) {
  const auto newline = bytes.find('\n');
  if (newline == std::string::npos || newline != 18)
    throw ReadError("does not start with an Armadillo header such as ARMA_MAT_BIN_FN008");
  const std::string_view magic = bytes.substr(0, 18);
  ArmaHeader h;
  h.cube = magic.compare(0, 9, "ARMA_CUB_") == 0;
  const bool mat = magic.compare(0, 9, "ARMA_MAT_") == 0;
  h.binary = magic.compare(9, 4, "BIN_") == 0;
  const bool ascii = magic.compare(9, 4, "TXT_") == 0;
  if ((!h.cube && !mat) || (!h.binary && !ascii))
    throw ReadError("has an unknown Armadillo header '" + shown(magic) + "'");
  const std::string_view code = magic.substr(13, 5);
  static const std::pair<std::string_view, ArmaType> types[] = {
      {"FN008", {'f', 8}}, {"FN004", {'f', 4}}, {"IS008", {'i', 8}}, {"IU008", {'u', 8}}, {"IS004", {'i', 4}},
      {"IU004", {'u', 4}}, {"IS002", {'i', 2}}, {"IU002", {'u', 2}}, {"IS001", {'i', 1}}, {"IU001", {'u', 1}}};
  for (const auto& [name, t] : types)
    if (code == name) h.type = &t;
  if (!h.type)
    throw ReadError("holds Armadillo element type " + shown(code) + " (complex?); save a real matrix (arma::mat)");
  const auto dims_end = bytes.find('\n', newline + 1);
  if (dims_end == std::string::npos) {
    if (partial) return std::nullopt;
    throw ReadError("is truncated after its Armadillo header");
  }
  const std::string_view dims = bytes.substr(newline + 1, dims_end - newline - 1);
  const auto sizes = parse_sizes(dims, " ", 3);
  if (!sizes) throw ReadError("has malformed Armadillo sizes '" + shown(dims) + "'");
  h.sizes = *sizes;
  if (h.sizes.size() != (h.cube ? 3u : 2u))
    throw ReadError("has " + std::to_string(h.sizes.size()) + " Armadillo sizes, expected " +
                    (h.cube ? "3 (rows cols slices)" : "2 (rows cols)"));
  h.shape = h.cube ? Shape{h.sizes[2], h.sizes[0], h.sizes[1]} : Shape{h.sizes[0], h.sizes[1]};
  h.data_offset = dims_end + 1;
  return h;
}

// ---- Text --------------------------------------------------------------------------------

/// Refuses what is not ASCII/UTF-8 text, naming what it seems to be; returns the text without
/// a UTF-8 byte order mark.
std::string_view checked_text(std::string_view text) {
  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  if (text.substr(0, 3) == utf8_bom) text.remove_prefix(3);  // a spreadsheet's "CSV UTF-8"
  const auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  if (starts(std::string_view("\xFF\xFE\0\0", 4)) || starts(std::string_view("\0\0\xFE\xFF", 4)))
    throw ReadError(
        "is UTF-32 text (it starts with a UTF-32 byte order mark); save it as "
        "UTF-8 or plain ASCII text, as numpy.savetxt does");
  if (starts("\xFF\xFE") || starts("\xFE\xFF"))
    throw ReadError(
        "is UTF-16 text (it starts with a UTF-16 byte order mark, as some "
        "spreadsheets save 'Unicode text'); save it as UTF-8 CSV or plain text");
  if (starts("PK\x03\x04"))
    throw ReadError(
        "is a zip archive (an .npz, .xlsx or .zip file), not text; save the matrix "
        "itself with numpy.savetxt or numpy.save");
  if (text.find('\0') != std::string::npos)
    throw ReadError("is binary, not text; save numbers as text (numpy.savetxt) or use .npy");
  return text;
}

/// A line without its comment ('#' to the end).
std::string_view uncommented(std::string_view line) { return line.substr(0, line.find('#')); }

/// True when some line has a comma outside its comment: then commas separate values.
bool comma_separated(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (uncommented(text.substr(pos, end - pos)).find(',') != std::string::npos) return true;
    pos = end + 1;
  }
  return false;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Calls `f` with each value token of a line: between commas (empty tokens included), or
/// between runs of white space.
template <class F>
void for_each_token(std::string_view line, bool commas, F f) {
  if (commas) {
    if (trimmed(line).empty()) return;
    for (std::size_t i = 0;;) {
      const auto comma = std::min(line.find(',', i), line.size());
      f(trimmed(line.substr(i, comma - i)));
      if (comma == line.size()) return;
      i = comma + 1;
    }
  }
  for (std::size_t i = 0; i < line.size();) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) f(line.substr(start, i - start));
  }
}

/// What a value that is no number most likely is, as `"; ..."`, or "": the value, its place
/// in its line (from 1; `last`: the line's last value), and whether no row of numbers came
/// before its line. Found by a student helper: pandas' `to_csv` (a header row, an index column)
/// and a trailing comma were told "value 1 is '', not a number" alone.
std::string not_a_number_hint(std::string_view token, std::size_t place, bool last, bool first_row) {
  if (token.find(';') != std::string_view::npos) return "; separate values with commas or spaces, not ';'";
  if (token.empty() && first_row && place == 1)
    return "; the file must hold numbers only: a header row and an index column, as pandas' to_csv writes them? "
           "Save it with np.savetxt(path, array, delimiter=','), or to_csv(path, index=False, header=False)";
  if (token.empty() && last) return "; nothing after the line's last comma: leave out the comma at the end of the line";
  if (token.empty()) return "; nothing between two commas: a value left out?";
  if (token.starts_with("tensor(") || token.starts_with("array(") || token.starts_with("[") || token.ends_with("]") ||
      token.ends_with(")"))
    return "; the file must hold numbers only, as np.savetxt(path, array, delimiter=',') writes them, not a printed "
           "tensor or array";
  const auto c = static_cast<unsigned char>(token.front());
  if (first_row && place == 1 && (std::isalpha(c) || c == '_' || c == '"' || c == '\''))
    return "; the file must hold numbers only: a header row? Leave it out (np.savetxt(path, array, "
           "delimiter=','), or pandas' to_csv(path, index=False, header=False))";
  return "";
}

}  // namespace

ShapeMismatch::ShapeMismatch(Shape shape) : ReadError("has shape " + format_shape(shape)), shape_(std::move(shape)) {}

ShapeMismatch::ShapeMismatch(std::size_t more_than)
    : ReadError("has more than " + std::to_string(more_than) + " values"), more_than_(more_than) {}

void Expected::check_declared(const Shape& shape) const {
  if (count == std::numeric_limits<std::size_t>::max()) return;
  if (element_count_within_limit(shape) != count) throw ShapeMismatch(shape);
}

std::string encode_npy(const Tensor& t) {
  std::string shape = "(";
  for (std::size_t d = 0; d < t.rank(); ++d) shape += (d ? ", " : "") + std::to_string(t.dim(d));
  if (t.rank() == 1) shape += ",";  // as Python writes a 1-tuple
  shape += ")";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  // magic (6) + version (2) + length (2) + header + '\n', padded with spaces to 64 bytes.
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  for (double v : t.values()) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int b = 0; b < 8; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

Tensor parse_npy(std::string_view bytes, const Expected& expected) {
  const NpyHeader h = *npy_header(bytes, false);
  expected.check_declared(h.shape);
  const std::size_t need = data_bytes(h.shape, h.item_size);
  const std::size_t have = bytes.size() - h.data_offset;
  if (have != need)
    throw ReadError("declares shape " + format_shape(h.shape) + " (" + std::to_string(need) +
                    " bytes of data) but holds " + std::to_string(have) +
                    " bytes: the file is truncated or corrupt; save it again");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data()) + h.data_offset;
  std::vector<double> values(need / h.item_size);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = element(data + i * h.item_size, h);
  if (h.fortran_order && h.shape.size() > 1) values = from_column_major(values, h.shape);
  return Tensor(h.shape, std::move(values));
}

Tensor parse_text_matrix(std::string_view text, const Expected& expected) {
  text = checked_text(text);
  const bool commas = comma_separated(text);
  const std::size_t budget = expected.budget();
  std::vector<double> values;
  std::size_t cols = 0, rows = 0, first_line = 0, line_no = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = uncommented(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    std::size_t count = 0;
    for_each_token(line, commas, [&](std::string_view token) {
      ++count;
      if (rows > 0 && count > cols) return;  // reported below with the line's full count
      if (values.size() == budget) throw ShapeMismatch(budget);
      const auto v = parse_number(token);
      if (!v)
        throw ReadError("line " + std::to_string(line_no) + ", value " + std::to_string(count) + " is '" +
                        shown(token) + "', not a number" +
                        not_a_number_hint(
                            token, count,
                            commas && count == 1 + static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')),
                            rows == 0));
      values.push_back(*v);
    });
    if (count == 0) continue;
    if (rows == 0) {
      cols = count;
      first_line = line_no;
    } else if (count != cols) {
      throw ReadError("line " + std::to_string(line_no) + " has " + std::to_string(count) + " values but line " +
                      std::to_string(first_line) + " has " + std::to_string(cols) +
                      "; every row needs the same number of values");
    }
    ++rows;
  }
  if (rows == 0) throw ReadError("holds no numbers");
  return Tensor({rows, cols}, std::move(values));
}

Tensor parse_armadillo(std::string_view bytes, const Expected& expected) {
  const ArmaHeader h = *arma_header(bytes, false);
  expected.check_declared(h.shape);
  const std::string_view payload = bytes.substr(h.data_offset);
  if (!h.binary) {
    const std::size_t count = data_bytes(h.shape, 1);
    const std::string declares = "declares " + format_shape(h.shape) + " (" + std::to_string(count) + " values)";
    std::optional<Tensor> text;
    try {
      text = parse_text_matrix(payload, Expected{count});
    } catch (const ShapeMismatch& e) {
      throw ReadError(declares + " but " + e.what());
    }
    if (text->size() != count) throw ReadError(declares + " but holds " + std::to_string(text->size()) + " values");
    // The text holds rows x cols per slice, in row-major reading order.
    return Tensor(h.shape, std::vector<double>(text->values().begin(), text->values().end()));
  }
  const std::size_t need = data_bytes(h.shape, h.type->size);
  if (payload.size() != need)
    throw ReadError("declares " + format_shape(h.shape) + " (" + std::to_string(need) + " bytes) but holds " +
                    std::to_string(payload.size()) + " bytes of data: truncated or corrupt");
  NpyHeader as_npy{'=', h.type->kind, h.type->size, false, {}, 0};
  const auto* u = reinterpret_cast<const unsigned char*>(payload.data());
  std::vector<double> raw(need / h.type->size);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = element(u + i * h.type->size, as_npy);
  // Reorder column-major storage (slice, col, row) into row-major (slice, row, col).
  if (raw.empty()) return Tensor(h.shape, {});  // other sizes may be huge: (0, 10^15) holds nothing
  std::vector<double> values(raw.size());
  const std::size_t rows = h.sizes[0], cols = h.sizes[1], slices = h.cube ? h.sizes[2] : 1;
  for (std::size_t s = 0; s < slices; ++s)
    for (std::size_t c = 0; c < cols; ++c)
      for (std::size_t r = 0; r < rows; ++r) values[(s * rows + r) * cols + c] = raw[(s * cols + c) * rows + r];
  return Tensor(h.shape, std::move(values));
}

const std::vector<std::string>& tensor_file_extensions() {
  static const std::vector<std::string> ext = {".npy", ".csv", ".txt", ".arma", ".bin"};
  return ext;
}

namespace {

/// Bytes read first from a tensor file: enough for any .npy 1.0 or Armadillo header.
constexpr std::size_t kHeadBytes = 64u << 10;

}  // namespace

Tensor read_tensor_file(const std::filesystem::path& path, const ReadLimits& limits, const Expected& expected) {
  const BoundedFile file(path, limits);
  std::string bytes;
  file.read(0, std::min(file.size(), kHeadBytes), bytes);
  const std::string ext = path.extension().string();
  const bool npy = bytes.rfind("\x93NUMPY", 0) == 0 || ext == ".npy";
  const bool arma = !npy && (bytes.rfind("ARMA_", 0) == 0 || ext == ".arma" || ext == ".bin");
  if (bytes.size() < file.size()) {
    // A header declaring another element count is refused before the data is read.
    if (npy)
      if (const auto h = npy_header(bytes, true)) expected.check_declared(h->shape);
    if (arma)
      if (const auto h = arma_header(bytes, true)) expected.check_declared(h->shape);
    file.read(bytes.size(), file.size(), bytes);
  }
  if (npy) return parse_npy(bytes, expected);
  if (arma) return parse_armadillo(bytes, expected);
  return parse_text_matrix(bytes, expected);
}

}  // namespace grader
