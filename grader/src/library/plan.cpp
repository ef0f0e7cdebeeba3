#include "plan.hpp"

#include <cstring>

#include "grader/protocol.hpp"

namespace grader::library {

namespace p = protocol;

namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

Plan make_plan(const std::vector<Call>& calls, const std::vector<std::size_t>& which) {
  Plan plan;
  std::string& b = plan.bytes;
  {  // one allocation: the plan of a submission is hundreds of kilobytes
    std::size_t estimate = sizeof(p::PlanHeader) + 64;
    for (std::size_t i : which) {
      estimate += sizeof(p::PlanCall) + calls[i].symbol.size() + 16 +
                  (calls[i].inputs.size() + calls[i].outputs.size()) * (sizeof(p::PlanTensor) + 8);
      for (const Tensor& t : calls[i].inputs) estimate += t.size() * sizeof(double) + 8;
    }
    b.reserve(estimate);
  }
  b.resize(sizeof(p::PlanHeader));
  const auto append = [&](const void* data, std::size_t n) {
    b.resize(round_up(b.size(), 8));
    const std::uint64_t at = b.size();
    b.append(static_cast<const char*>(data), n);
    return at;
  };
  p::PlanHeader header{};
  header.magic = p::kMagic;
  header.version = p::kVersion;
  header.n_calls = static_cast<std::uint32_t>(which.size());

  std::vector<p::PlanCall> plan_calls(which.size());
  header.calls_offset = append(plan_calls.data(), plan_calls.size() * sizeof(p::PlanCall));
  for (std::size_t k = 0; k < which.size(); ++k) {
    const Call& call = calls[which[k]];
    p::PlanCall pc{};
    pc.symbol_offset = append(call.symbol.c_str(), call.symbol.size() + 1);
    pc.n_inputs = static_cast<std::uint32_t>(call.inputs.size());
    pc.n_outputs = static_cast<std::uint32_t>(call.outputs.size());
    std::vector<p::PlanTensor> tensors(call.inputs.size() + call.outputs.size());
    for (std::size_t i = 0; i < call.inputs.size(); ++i) {
      const Tensor& t = call.inputs[i];
      tensors[i].rank = static_cast<std::int32_t>(t.rank());
      for (std::size_t d = 0; d < t.rank(); ++d) tensors[i].shape[d] = static_cast<std::int64_t>(t.dim(d));
      tensors[i].offset = append(t.values().data(), t.size() * sizeof(double));
    }
    plan.output_offsets.emplace_back();
    for (std::size_t o = 0; o < call.outputs.size(); ++o) {  // packed one after the other
      p::PlanTensor& pt = tensors[call.inputs.size() + o];
      const Shape& shape = call.outputs[o];
      pt.rank = static_cast<std::int32_t>(shape.size());
      for (std::size_t d = 0; d < shape.size(); ++d) pt.shape[d] = static_cast<std::int64_t>(shape[d]);
      pt.offset = plan.output_bytes;
      plan.output_offsets.back().push_back(pt.offset);
      plan.output_bytes += element_count(shape) * sizeof(double);
    }
    pc.tensors_offset = append(tensors.data(), tensors.size() * sizeof(p::PlanTensor));
    std::memcpy(b.data() + header.calls_offset + k * sizeof pc, &pc, sizeof pc);
  }
  header.output_bytes = plan.output_bytes;
  std::memcpy(b.data(), &header, sizeof header);
  return plan;
}

}  // namespace grader::library
