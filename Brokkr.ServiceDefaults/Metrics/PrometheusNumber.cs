using System.Globalization;
using System.Text;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// Sample values and <c>le</c> bounds written as Prometheus's Go client writes them (<c>strconv.FormatFloat(v, 'g', -1,
/// 64)</c>): the shortest digits that round-trip, in exponent form when the decimal exponent is below -4 or at least 6
/// (<c>1e-05</c>, <c>1e+06</c>, <c>1.7000000005e+09</c>), with a lower-case <c>e</c>, a signed exponent of at least two
/// digits, and <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>. Label matchers such as <c>le="1e+06"</c> written against Go
/// exporters then match ours too. .NET's "R" format differs (<c>1E-05</c>, <c>1E+21</c>, 1000000 in full).
/// </summary>
internal static class PrometheusNumber
{
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return "0";
        }

        // .NET's round-trip text has the shortest digits; only their layout changes.
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = roundTrip.IndexOf('E');
        var mantissa = e < 0 ? roundTrip : roundTrip[..e];
        var exponent = e < 0 ? 0 : int.Parse(roundTrip.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        // decimalPoint: how many of the digits stand before the decimal point (may be negative or exceed the count).
        var decimalPoint = (point < 0 ? mantissa.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leadingZeros;

        var text = new StringBuilder(digits.Length + 8);
        if (value < 0)
        {
            text.Append('-');
        }

        var decimalExponent = decimalPoint - 1;
        if (decimalExponent < -4 || decimalExponent >= 6)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            text.Append('e').Append(decimalExponent < 0 ? '-' : '+')
                .Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            text.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            text.Append(digits).Append('0', decimalPoint - digits.Length);
        }
        else
        {
            text.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return text.ToString();
    }
}
