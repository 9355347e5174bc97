using System.Globalization;
using Fluid;
using Fluid.Values;

namespace Brokkr.Broker.Templates;

/// <summary>
/// Tera's operators as Fluid filters the translator calls inside parenthesised groups (<c>(a | brokkr_add: 1)</c>):
/// Liquid has comparisons and <c>and</c>/<c>or</c> but no math, <c>not</c>, <c>in</c> or <c>is defined</c>, and treats only nil and false
/// as false where Tera also treats 0, "" and empty arrays and objects as false. Templates cannot name these filters:
/// <see cref="TeraFilters.Find"/> does not know them.
/// </summary>
public static class TeraOperators
{
    public const string Add = "brokkr_add";
    public const string Subtract = "brokkr_sub";
    public const string Multiply = "brokkr_mul";
    public const string Divide = "brokkr_div";
    public const string Modulo = "brokkr_mod";
    public const string Not = "brokkr_not";
    public const string Truthy = "brokkr_truthy";
    public const string In = "brokkr_in";
    public const string Defined = "brokkr_defined";
    public const string Undefined = "brokkr_undefined";

    public static readonly IReadOnlyDictionary<string, FilterDelegate> Every = new Dictionary<string, FilterDelegate>
    {
        [Add] = Math("+", (l, r) => NumberValue.Create(l + r), (l, r) => l + r),
        [Subtract] = Math("-", (l, r) => NumberValue.Create(l - r), (l, r) => l - r),
        [Multiply] = Math("*", (l, r) => NumberValue.Create(l * r), (l, r) => l * r),
        [Divide] = Math("/", DivideIntegers, (l, r) => l / r),
        [Modulo] = Math("%", (l, r) => r == 0 ? throw DivisionByZero("%") : NumberValue.Create(l % r), (l, r) => l % r),
        [Not] = (input, _, context) => new(BooleanValue.Create(!IsTruthy(input, context))),
        [Truthy] = (input, _, context) => new(BooleanValue.Create(IsTruthy(input, context))),
        [In] = (input, args, context) => new(BooleanValue.Create(Contains(args.At(0), input, context))),
        [Defined] = (input, _, _) => new(BooleanValue.Create(input is not UndefinedValue)),
        [Undefined] = (input, _, _) => new(BooleanValue.Create(input is UndefinedValue)),
    };

    /// <summary>Tera's truth: false, null, a missing variable, 0, "", [] and {} are false; everything else true.</summary>
    public static bool IsTruthy(FluidValue value, TemplateContext context) => value switch
    {
        UndefinedValue or NilValue or EmptyValue or BlankValue => false,
        BooleanValue b => b.ToBooleanValue(context),
        NumberValue n => n.ToNumberValue(context) != 0,
        StringValue s => s.ToStringValue(context).Length > 0,
        ArrayValue a => a.Values.Count > 0,
        ParameterObject o => o.Members.Count > 0,
        _ => value.ToBooleanValue(context),
    };

    /// <summary>Tera's <c>in</c>: an element of an array, a key of an object, a substring of a string.</summary>
    private static bool Contains(FluidValue container, FluidValue needle, TemplateContext context) => container switch
    {
        UndefinedValue undefined => throw undefined.NotFound(),
        _ when needle is UndefinedValue undefined => throw undefined.NotFound(),
        ArrayValue array => array.Values.Any(v => v.Equals(needle)),
        ParameterObject map => needle is StringValue key
            ? map.Members.ContainsKey(key.ToStringValue(context))
            : throw new TemplateRenderException("`in` an object needs a string key"),
        StringValue text => needle is StringValue part
            ? text.ToStringValue(context).Contains(part.ToStringValue(context), StringComparison.Ordinal)
            : throw new TemplateRenderException("`in` a string needs a string"),
        _ => throw new TemplateRenderException("`in` needs an array, an object or a string on its right"),
    };

    /// <summary>
    /// Tera's arithmetic: two integers give an integer; anything with a float computes in floating point, as Tera's
    /// f64 does, and prints as Tera prints a float (<c>2.0</c>, <c>0.30000000000000004</c>).
    /// </summary>
    private static FilterDelegate Math(string op, Func<decimal, decimal, FluidValue> integers, Func<double, double, double> floats) =>
        (input, args, context) =>
        {
            var (left, right) = (Number(input, op, context), Number(args.At(0), op, context));
            try
            {
                if (left.Scale == 0 && right.Scale == 0)
                {
                    return new(integers(left, right));
                }
                var result = floats((double)left, (double)right);
                if (!double.IsFinite(result))
                {
                    throw DivisionByZero(op);
                }
                return new(Float(result));
            }
            catch (OverflowException)
            {
                throw new TemplateRenderException($"`{op}` overflowed");
            }
        };

    /// <summary>Tera divides in floating point and keeps a whole quotient whole: <c>10 / 4</c> is 2.5, <c>10 / 2</c> is 5.</summary>
    private static FluidValue DivideIntegers(decimal left, decimal right)
    {
        if (right == 0)
        {
            throw DivisionByZero("/");
        }
        var quotient = left / right;
        return quotient == decimal.Truncate(quotient) ? NumberValue.Create(decimal.Truncate(quotient)) : Float((double)left / (double)right);
    }

    private static FluidValue Float(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E'))
        {
            throw new TemplateRenderException($"the result {text} is outside the numbers a template prints");
        }
        return NumberValue.Create(decimal.Parse(text.Contains('.') ? text : text + ".0", CultureInfo.InvariantCulture));
    }

    private static decimal Number(FluidValue value, string op, TemplateContext context) => value switch
    {
        UndefinedValue undefined => throw undefined.NotFound(),
        NumberValue number => number.ToNumberValue(context),
        _ => throw new TemplateRenderException($"`{op}` needs numbers, not {value.ToStringValue(context)}"),
    };

    private static TemplateRenderException DivisionByZero(string op) => new($"`{op}` by zero");
}
