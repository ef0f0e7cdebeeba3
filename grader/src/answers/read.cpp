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

namespace grader {

namespace {

std::string printable(std::string_view s, std::size_t max = 40) {
  std::string out;
  for (char c : s.substr(0, max)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return s.size() > max ? out + "..." : out;
}

/// Parses a decimal number token, accepting nan/inf as NumPy writes them.
std::optional<double> parse_number(std::string_view token) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec == std::errc() && end == token.data() + token.size()) return value;
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  return std::nullopt;
}

// ---- NumPy -------------------------------------------------------------------------------

struct NpyHeader {
  char byte_order = '<';
  char kind = 'f';
  std::size_t item_size = 8;
  bool fortran_order = false;
  Shape shape;
};

/// Extracts the value text of `'key': value` from the header dictionary.
std::string dict_value(const std::string& header, const std::string& key) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  for (const auto& q : quoted) {
    const auto k = header.find(q);
    if (k == std::string::npos) continue;
    auto colon = header.find(':', k + q.size());
    if (colon == std::string::npos) break;
    ++colon;
    while (colon < header.size() && header[colon] == ' ') ++colon;
    if (colon < header.size() && header[colon] == '(') {
      const auto close = header.find(')', colon);
      if (close == std::string::npos) break;
      return header.substr(colon, close - colon + 1);
    }
    auto end = header.find_first_of(",}", colon);
    if (end == std::string::npos) end = header.size();
    std::string v = header.substr(colon, end - colon);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v;
  }
  throw ReadError("the .npy header has no '" + key + "' entry; the file is not a NumPy array");
}

NpyHeader parse_npy_header(const std::string& header) {
  NpyHeader h;
  std::string descr = dict_value(header, "descr");
  if (descr.size() < 3 || (descr.front() != '\'' && descr.front() != '"'))
    throw ReadError("holds a structured or unusual dtype (" + printable(descr) +
                    "); save a plain numeric array with numpy.save");
  descr = descr.substr(1, descr.size() - 2);
  h.byte_order = descr[0];
  h.kind = descr[1];
  if (h.kind == 'O')
    throw ReadError("holds Python objects (dtype object); hand in real numbers: "
                    "numpy.save(name, array.astype('float64'))");
  const auto [p, ec] = std::from_chars(descr.data() + 2, descr.data() + descr.size(), h.item_size);
  if (ec != std::errc() || p != descr.data() + descr.size() ||
      std::string("<>|=").find(h.byte_order) == std::string::npos)
    throw ReadError("has an unknown dtype '" + printable(descr) + "'");
  const bool supported = ((h.kind == 'f') && (h.item_size == 2 || h.item_size == 4 || h.item_size == 8)) ||
                         ((h.kind == 'i' || h.kind == 'u') &&
                          (h.item_size == 1 || h.item_size == 2 || h.item_size == 4 || h.item_size == 8)) ||
                         (h.kind == 'b' && h.item_size == 1);
  if (!supported) {
    const std::string why = h.kind == 'O'   ? "Python objects"
                            : h.kind == 'c' ? "complex numbers"
                            : h.kind == 'U' || h.kind == 'S' ? "text"
                                                             : "dtype '" + printable(descr) + "'";
    throw ReadError("holds " + why +
                    "; hand in real numbers (float32, float64 or integers): "
                    "numpy.save(name, array.astype('float64'))");
  }
  const std::string fortran = dict_value(header, "fortran_order");
  if (fortran != "True" && fortran != "False")
    throw ReadError("has a malformed fortran_order '" + printable(fortran) + "'");
  h.fortran_order = fortran == "True";
  const std::string shape = dict_value(header, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    throw ReadError("has a malformed shape '" + printable(shape) + "'");
  std::string_view rest(shape.data() + 1, shape.size() - 2);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) rest.remove_prefix(1);
    if (rest.empty()) break;
    std::size_t d = 0;
    const auto [end, err] = std::from_chars(rest.data(), rest.data() + rest.size(), d);
    if (err != std::errc() || end == rest.data())
      throw ReadError("has a malformed shape '" + printable(shape) + "'");
    h.shape.push_back(d);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    if (h.shape.size() > kMaxRank)
      throw ReadError("has shape " + printable(shape) + " of rank " +
                      std::to_string(h.shape.size()) + "; at most rank 3 is supported");
  }
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
    return mantissa ? std::numeric_limits<double>::quiet_NaN()
                    : sign * std::numeric_limits<double>::infinity();
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

double element(const unsigned char* p, const NpyHeader& h) {
  const bool little = std::endian::native == std::endian::little;
  const bool swap = h.item_size > 1 && ((h.byte_order == '<' && !little) ||
                                        (h.byte_order == '>' && little));
  switch (h.kind) {
    case 'f':
      if (h.item_size == 2) return half_to_double(load_as<std::uint16_t>(p, swap));
      if (h.item_size == 4) return load_as<float>(p, swap);
      return load_as<double>(p, swap);
    case 'b': return *p ? 1.0 : 0.0;
    case 'i':
      switch (h.item_size) {
        case 1: return load_as<std::int8_t>(p, swap);
        case 2: return load_as<std::int16_t>(p, swap);
        case 4: return load_as<std::int32_t>(p, swap);
        default: return static_cast<double>(load_as<std::int64_t>(p, swap));
      }
    default:
      switch (h.item_size) {
        case 1: return load_as<std::uint8_t>(p, swap);
        case 2: return load_as<std::uint16_t>(p, swap);
        case 4: return load_as<std::uint32_t>(p, swap);
        default: return static_cast<double>(load_as<std::uint64_t>(p, swap));
      }
  }
}

/// Data bytes that must follow a header: count * item_size, refusing overflow.
std::size_t data_bytes(const Shape& shape, std::size_t item_size) {
  std::size_t n = 0;
  try {
    n = element_count(shape);
  } catch (const std::length_error&) {
    throw ReadError("declares shape " + format_shape(shape) + ", far too large");
  }
  if (n > std::numeric_limits<std::size_t>::max() / item_size)
    throw ReadError("declares shape " + format_shape(shape) + ", far too large");
  return n * item_size;
}

/// Row-major values from column-major (Fortran) storage.
std::vector<double> from_column_major(const std::vector<double>& in, const Shape& shape) {
  std::vector<double> out(in.size());
  for (std::size_t flat = 0; flat < in.size(); ++flat) {
    const auto idx = unravel(flat, shape);
    std::size_t f = 0;
    for (std::size_t a = shape.size(); a-- > 0;) f = f * shape[a] + idx[a];
    out[flat] = in[f];
  }
  return out;
}

// ---- Armadillo -------------------------------------------------------------------------

struct ArmaType {
  char kind;  // 'f', 'i', 'u'
  std::size_t size;
};

}  // namespace

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

Tensor parse_npy(const std::string& bytes) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, magic, 6) != 0)
    throw ReadError("is not a NumPy .npy file (it does not start with \\x93NUMPY); "
                    "save it with numpy.save");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const int major = u[6];
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = u[8] | (std::size_t{u[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw ReadError("is truncated inside its header");
    header_len = u[8] | (std::size_t{u[9]} << 8) | (std::size_t{u[10]} << 16) |
                 (std::size_t{u[11]} << 24);
    header_start = 12;
  } else {
    throw ReadError("uses .npy format version " + std::to_string(major) +
                    ", which is not supported (1 to 3 are)");
  }
  if (header_len > bytes.size() - header_start)
    throw ReadError("is truncated inside its header");
  const NpyHeader h = parse_npy_header(bytes.substr(header_start, header_len));
  const std::size_t offset = header_start + header_len;
  const std::size_t need = data_bytes(h.shape, h.item_size);
  const std::size_t have = bytes.size() - offset;
  if (have != need)
    throw ReadError("declares shape " + format_shape(h.shape) + " (" + std::to_string(need) +
                    " bytes of data) but holds " + std::to_string(have) +
                    " bytes: the file is truncated or corrupt; save it again");
  std::vector<double> values(need / h.item_size);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = element(u + offset + i * h.item_size, h);
  if (h.fortran_order && h.shape.size() > 1) values = from_column_major(values, h.shape);
  return Tensor(h.shape, std::move(values));
}

Tensor parse_text_matrix(const std::string& text) {
  if (text.find('\0') != std::string::npos)
    throw ReadError("is binary, not text; save numbers as text (numpy.savetxt) or use .npy");
  std::vector<double> values;
  std::size_t cols = 0, rows = 0, first_line = 0, line_no = 0;
  const bool commas = text.find(',') != std::string::npos;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
      const auto is_sep = [&](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || (commas && c == ',');
      };
      if (commas) {
        auto comma = line.find(',', i);
        if (comma == std::string_view::npos) comma = line.size();
        std::string_view tok = line.substr(i, comma - i);
        while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.front()))) tok.remove_prefix(1);
        while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
        tokens.push_back(tok);
        i = comma + 1;
        if (comma == line.size()) break;
        continue;
      }
      while (i < line.size() && is_sep(line[i])) ++i;
      const std::size_t start = i;
      while (i < line.size() && !is_sep(line[i])) ++i;
      if (i > start) tokens.push_back(line.substr(start, i - start));
    }
    const bool blank = tokens.empty() || (tokens.size() == 1 && tokens[0].empty());
    if (blank) continue;
    if (rows == 0) {
      cols = tokens.size();
      first_line = line_no;
    } else if (tokens.size() != cols) {
      throw ReadError("line " + std::to_string(line_no) + " has " +
                      std::to_string(tokens.size()) + " values but line " +
                      std::to_string(first_line) + " has " + std::to_string(cols) +
                      "; every row needs the same number of values");
    }
    for (std::size_t c = 0; c < tokens.size(); ++c) {
      const auto v = parse_number(tokens[c]);
      if (!v)
        throw ReadError("line " + std::to_string(line_no) + ", value " + std::to_string(c + 1) +
                        " is '" + printable(tokens[c]) + "', not a number");
      values.push_back(*v);
    }
    ++rows;
  }
  if (rows == 0) throw ReadError("holds no numbers");
  return Tensor({rows, cols}, std::move(values));
}

Tensor parse_armadillo(const std::string& bytes) {
  const auto newline = bytes.find('\n');
  if (newline == std::string::npos || newline != 18)
    throw ReadError("does not start with an Armadillo header such as ARMA_MAT_BIN_FN008");
  const std::string magic = bytes.substr(0, 18);
  const bool cube = magic.compare(0, 9, "ARMA_CUB_") == 0;
  const bool mat = magic.compare(0, 9, "ARMA_MAT_") == 0;
  const bool binary = magic.compare(9, 4, "BIN_") == 0;
  const bool ascii = magic.compare(9, 4, "TXT_") == 0;
  if ((!cube && !mat) || (!binary && !ascii))
    throw ReadError("has an unknown Armadillo header '" + printable(magic) + "'");
  const std::string code = magic.substr(13, 5);
  static const std::pair<const char*, ArmaType> types[] = {
      {"FN008", {'f', 8}}, {"FN004", {'f', 4}}, {"IS008", {'i', 8}}, {"IU008", {'u', 8}},
      {"IS004", {'i', 4}}, {"IU004", {'u', 4}}, {"IS002", {'i', 2}}, {"IU002", {'u', 2}},
      {"IS001", {'i', 1}}, {"IU001", {'u', 1}}};
  const ArmaType* type = nullptr;
  for (const auto& [name, t] : types)
    if (code == name) type = &t;
  if (!type)
    throw ReadError("holds Armadillo element type " + printable(code) +
                    " (complex?); save a real matrix (arma::mat)");
  const auto dims_end = bytes.find('\n', newline + 1);
  if (dims_end == std::string::npos) throw ReadError("is truncated after its Armadillo header");
  std::string_view dims(bytes.data() + newline + 1, dims_end - newline - 1);
  std::vector<std::size_t> sizes;
  while (!dims.empty()) {
    while (!dims.empty() && dims.front() == ' ') dims.remove_prefix(1);
    if (dims.empty()) break;
    std::size_t d = 0;
    const auto [end, ec] = std::from_chars(dims.data(), dims.data() + dims.size(), d);
    if (ec != std::errc() || end == dims.data())
      throw ReadError("has malformed Armadillo sizes '" + printable(dims) + "'");
    sizes.push_back(d);
    dims.remove_prefix(static_cast<std::size_t>(end - dims.data()));
  }
  if (sizes.size() != (cube ? 3u : 2u))
    throw ReadError("has " + std::to_string(sizes.size()) + " Armadillo sizes, expected " +
                    (cube ? "3 (rows cols slices)" : "2 (rows cols)"));
  // Armadillo stores column-major: element (r, c, s) at r + c*rows + s*rows*cols.
  const Shape storage = {cube ? sizes[2] : 1, sizes[1], sizes[0]};
  const Shape shape = cube ? Shape{sizes[2], sizes[0], sizes[1]} : Shape{sizes[0], sizes[1]};
  const std::size_t payload = dims_end + 1;
  std::vector<double> raw;
  if (binary) {
    const std::size_t need = data_bytes(shape, type->size);
    if (bytes.size() - payload != need)
      throw ReadError("declares " + format_shape(shape) + " (" + std::to_string(need) +
                      " bytes) but holds " + std::to_string(bytes.size() - payload) +
                      " bytes of data: truncated or corrupt");
    NpyHeader as_npy{'=', type->kind, type->size, false, {}};
    const auto* u = reinterpret_cast<const unsigned char*>(bytes.data() + payload);
    raw.resize(need / type->size);
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = element(u + i * type->size, as_npy);
  } else {
    const Tensor text = parse_text_matrix(bytes.substr(payload));
    if (text.size() != data_bytes(shape, 1))
      throw ReadError("declares " + format_shape(shape) + " (" +
                      std::to_string(data_bytes(shape, 1)) + " values) but holds " +
                      std::to_string(text.size()) + " values");
    // The text holds rows x cols per slice, in row-major reading order.
    raw.assign(text.values().begin(), text.values().end());
    return Tensor(shape, std::move(raw));
  }
  // Reorder column-major storage (slice, col, row) into row-major (slice, row, col).
  std::vector<double> values(raw.size());
  const std::size_t rows = sizes[0], cols = sizes[1], slices = storage[0];
  for (std::size_t s = 0; s < slices; ++s)
    for (std::size_t c = 0; c < cols; ++c)
      for (std::size_t r = 0; r < rows; ++r)
        values[(s * rows + r) * cols + c] = raw[(s * cols + c) * rows + r];
  return Tensor(shape, std::move(values));
}

const std::vector<std::string>& tensor_file_extensions() {
  static const std::vector<std::string> ext = {".npy", ".csv", ".txt", ".arma", ".bin"};
  return ext;
}

std::string read_bounded(const std::filesystem::path& path, const ReadLimits& limits) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) throw ReadError("is a symbolic link; hand in the file itself");
    throw ReadError(std::string("cannot be opened: ") + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw ReadError("is not a regular file");
  if (static_cast<std::uintmax_t>(st.st_size) > limits.max_bytes)
    throw ReadError("is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                    std::to_string(limits.max_bytes));
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ReadError("could not be read completely");
    got += static_cast<std::size_t>(n);
  }
  return bytes;
}

Tensor read_tensor_file(const std::filesystem::path& path, const ReadLimits& limits) {
  const std::string bytes = read_bounded(path, limits);
  const std::string ext = path.extension().string();
  if (bytes.rfind("\x93NUMPY", 0) == 0 || ext == ".npy") return parse_npy(bytes);
  if (bytes.rfind("ARMA_", 0) == 0 || ext == ".arma" || ext == ".bin") return parse_armadillo(bytes);
  return parse_text_matrix(bytes);
}

}  // namespace grader
