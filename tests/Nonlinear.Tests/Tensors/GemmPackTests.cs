using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

/// <summary>
/// The GEMM's packing into long-K panels (GemmPack.A/B with a strip depth, as <see cref="GemmPacked.PackAPanel"/> and
/// <see cref="GemmPacked.PackBPanel"/> call them: several blocks, e.g. one per sample, packed as consecutive k ranges
/// of one operand) against the layout written out
/// by index, bit for bit (NaN, infinities, −0 and subnormals copied as they are), at every strip height and width the
/// kernels use (MR 4, 6, 8; NR 12, 16, 32), both storage orders, depths around the 8-column transpose blocks, and the
/// blocks packed in any order: no block writes outside its own k range, nothing is written past the panel.
/// </summary>
public sealed unsafe class GemmPackTests
{
    public static TheoryData<int, int, bool> Cases()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int strip in new[] { 4, 6, 8, 12, 16, 32 })
        {
            foreach (int rows in new[] { 1, 5, 6, 7, 13, 64 })
            {
                data.Add(strip, rows, false);
                data.Add(strip, rows, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Panels_of_several_blocks_hold_every_value_where_the_kernel_reads_it(int strip, int rows, bool transposed)
    {
        foreach (int kc in new[] { 1, 7, 8, 9, 17, 121 })
        {
            foreach (var order in new[] { new[] { 0, 1, 2 }, new[] { 2, 0, 1 } })
            {
                Check(strip, rows, kc, transposed, order, a: true);
                if (strip % 4 == 0)
                {
                    // B strips are a multiple of 4 wide (every kernel's NR is: 12, 16, 32); its row copy relies on it.
                    Check(strip, rows, kc, transposed, order, a: false);
                }
            }
        }
    }

    private static void Check(int strip, int rows, int kc, bool transposed, int[] order, bool a)
    {
        int blocks = order.Length, k = blocks * kc, padded = (rows + strip - 1) / strip * strip;
        // Stored with the rows of op(A) / the columns of op(B) along a row ([rows, kc], row stride ld), or across ([kc, rows]).
        bool rowMajor = a != transposed;
        int ld = rowMajor ? kc + 2 : rows + 3;
        var sources = new float[blocks][];
        for (int b = 0; b < blocks; b++)
        {
            // Values with every special case in them.
            sources[b] = new float[(rowMajor ? rows : kc) * ld];
            for (int i = 0; i < sources[b].Length; i++)
            {
                sources[b][i] = (i % 11) switch
                {
                    0 => float.NaN,
                    1 => -0f,
                    2 => float.PositiveInfinity,
                    3 => 1e-42f,
                    _ => b * 1000 + i + 0.25f,
                };
            }
        }

        var dst = new float[padded * k + 64];
        Array.Fill(dst, 12345f);
        fixed (float* pd = dst)
        {
            foreach (int b in order)
            {
                fixed (float* ps = sources[b])
                {
                    if (a)
                    {
                        GemmPack.A(ps, ld, transposed, 0, rows, 0, kc, strip, pd + (long)b * kc * strip, k);
                    }
                    else
                    {
                        GemmPack.B(ps, ld, transposed, 0, kc, 0, rows, strip, pd + (long)b * kc * strip, k);
                    }
                }
            }
        }

        for (int s = 0; s < padded / strip; s++)
        {
            for (int kk = 0; kk < k; kk++)
            {
                int b = kk / kc, p = kk % kc;
                for (int r = 0; r < strip; r++)
                {
                    int row = s * strip + r;
                    float expected = row >= rows ? 0f : rowMajor ? sources[b][row * ld + p] : sources[b][p * ld + row];
                    float actual = dst[(long)s * strip * k + (long)kk * strip + r];
                    Assert.True(
                        BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                        $"{(a ? "A" : "B")} strip {strip}, {rows} rows, kc {kc}, transposed {transposed}: strip {s}, k {kk}, lane {r}: {actual} against {expected}");
                }
            }
        }

        for (int i = padded * k; i < dst.Length; i++)
        {
            Assert.Equal(12345f, dst[i]);
        }
    }
}
