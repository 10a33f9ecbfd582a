#!/usr/bin/python3
"""Reference values of the VLMDiff DDIM schedule (spec vlmdiff-pipeline.md §1.4, §1.5), computed the way
the reference code does with numpy/torch (written from the spec, not copied):

  make_beta_schedule("linear"): torch.linspace(sqrt(ls), sqrt(le), T, float64) ** 2
  register_schedule: alphas_cumprod = np.cumprod(1 - betas) (float64); buffers cast to float32:
    alphas_cumprod, sqrt_alphas_cumprod = sqrt(ac64), sqrt_one_minus_alphas_cumprod = sqrt(1 - ac64)
  make_ddim_timesteps("uniform"): range(0, T, T // S) + 1
  make_ddim_sampling_parameters: alphas = ac32[steps]; alphas_prev = [ac32[0]] + ac32[steps[:-1]]
  ddim_sqrt_one_minus_alphas = np.sqrt(1. - alphas) on float32
  p_sample_ddim (float32 at run time): x0 = (x - sqrt(1 - a_t) e) / sqrt(a_t); x = sqrt(a_prev) x0 + sqrt(1 - a_prev) e

  /usr/bin/python3 tools/reference/ddim_reference.py > tests/data/ddim_golden.txt

Per-timestep arrays are written at a set of probe timesteps to keep the golden small. Output lines: `name index value` with value printed by repr (shortest round-trip, exact for float64;
float32 values are printed as their exact float64 value).
"""
import numpy as np
import torch


def schedule(T=1000, linear_start=0.00085, linear_end=0.012, S=10):
    betas = (torch.linspace(linear_start ** 0.5, linear_end ** 0.5, T, dtype=torch.float64) ** 2).numpy()
    alphas = 1.0 - betas
    ac64 = np.cumprod(alphas, axis=0)
    f32 = lambda x: torch.tensor(x).clone().detach().to(torch.float32)
    ac32 = f32(ac64)
    sqrt_ac32 = f32(np.sqrt(ac64))
    sqrt_1m_ac32 = f32(np.sqrt(1.0 - ac64))
    c = T // S
    steps = np.asarray(list(range(0, T, c))) + 1
    ddim_alphas = ac32[steps]
    ddim_alphas_prev = np.asarray([ac32[0].item()] + ac32[steps[:-1]].tolist())
    ddim_sqrt_1m = np.sqrt(1.0 - ddim_alphas.numpy())
    return betas, ac64, ac32, sqrt_ac32, sqrt_1m_ac32, steps, ddim_alphas, ddim_alphas_prev, ddim_sqrt_1m


def main():
    betas, ac64, ac32, sqrt_ac32, sqrt_1m_ac32, steps, da, dap, dsq = schedule()
    out = []
    probe = sorted(set([0, 1, 2, 3, 998, 999] + list(range(1, 1000, 100)) + list(range(0, 1000, 50)) + [900, 902]))
    for t in probe:
        out.append(("beta", t, float(betas[t])))
        out.append(("alphas_cumprod64", t, float(ac64[t])))
        out.append(("alphas_cumprod32", t, float(ac32[t])))
        out.append(("sqrt_alphas_cumprod32", t, float(sqrt_ac32[t])))
        out.append(("sqrt_one_minus_alphas_cumprod32", t, float(sqrt_1m_ac32[t])))
    for k, s in enumerate(steps):
        out.append(("ddim_timestep", k, int(s)))
    n = len(steps)
    for i in range(n):  # iteration order: i = 0 is the largest timestep
        index = n - 1 - i
        a_t = torch.full((1,), float(da[index]), dtype=torch.float32)
        a_prev = torch.full((1,), float(dap[index]), dtype=torch.float32)
        sq1m = torch.full((1,), float(dsq[index]), dtype=torch.float32)
        sqrt_at = a_t.sqrt()
        sqrt_aprev = a_prev.sqrt()
        dir_c = (1.0 - a_prev - 0.0 ** 2).sqrt()
        out.append(("step_t", i, int(steps[index])))
        out.append(("step_a_t", i, a_t.item()))
        out.append(("step_a_prev", i, a_prev.item()))
        out.append(("step_sqrt_a_t", i, sqrt_at.item()))
        out.append(("step_sqrt_one_minus_a_t", i, sq1m.item()))
        out.append(("step_sqrt_a_prev", i, sqrt_aprev.item()))
        out.append(("step_sqrt_one_minus_a_prev", i, dir_c.item()))
        # x_prev = A x + B e in float64 from the float32 coefficients
        A = sqrt_aprev.double().item() / sqrt_at.double().item()
        B = dir_c.double().item() - sqrt_aprev.double().item() * sq1m.double().item() / sqrt_at.double().item()
        out.append(("step_A", i, A))
        out.append(("step_B", i, B))
    # One full float32 sampler run with a stand-in eps "network" built from float32 multiplies and adds
    # only (no transcendental functions, so C reproduces it bit for bit):
    #   e_u = x * c[i] + d[i, j],  e_c = e_u * 0.75 + 0.01,  e = e_u + 9 * (e_c - e_u)
    gen = np.random.default_rng(1234)
    z = torch.tensor(gen.standard_normal(16), dtype=torch.float32)
    noise = torch.tensor(gen.standard_normal(16), dtype=torch.float32)
    c = torch.tensor(0.5 * np.cos(np.arange(n) / 3.0), dtype=torch.float32)
    d = torch.tensor(0.1 * gen.standard_normal((n, 16)), dtype=torch.float32)
    x = sqrt_ac32[999] * z + sqrt_1m_ac32[999] * noise
    for j in range(16):
        out.append(("sample_z", j, z[j].item()))
        out.append(("sample_noise", j, noise[j].item()))
        out.append(("sample_xT", j, x[j].item()))
    for i in range(n):
        out.append(("sample_c", i, c[i].item()))
        for j in range(16):
            out.append(("sample_d", i * 16 + j, d[i, j].item()))
    for i in range(n):
        index = n - 1 - i
        e_u = x * c[i] + d[i]
        e_c = e_u * 0.75 + 0.01
        e = e_u + 9.0 * (e_c - e_u)
        a_t = torch.full((1,), float(da[index]), dtype=torch.float32)
        a_prev = torch.full((1,), float(dap[index]), dtype=torch.float32)
        sq1m = torch.full((1,), float(dsq[index]), dtype=torch.float32)
        x0 = (x - sq1m * e) / a_t.sqrt()
        x = a_prev.sqrt() * x0 + (1.0 - a_prev - 0.0 ** 2).sqrt() * e
    for j in range(16):
        out.append(("sample_final", j, x[j].item()))
    for name, i, v in out:
        print(f"{name} {i} {v!r}")


if __name__ == "__main__":
    main()
