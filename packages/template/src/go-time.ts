/**
 * Go's time.Time as the Prometheus template functions produce it (`toTime`): a UTC instant with
 * millisecond precision. Prints as Go's Time.String (`2015-06-23 13:19:44.128 +0000 UTC`) and
 * offers the methods a template can call: Unix, UnixMilli, UnixNano, UTC, String, Format, Year,
 * YearDay, Day, Hour, Minute, Second.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Calendar fields of a UTC instant (proleptic Gregorian, any year). */
interface Civil {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  ms: number; weekday: number; yday: number;
}

function civil(ms: number): Civil {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hour = Math.floor(rest / 3_600_000); rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000); rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  // Days-to-civil over 400-year eras (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const yday = cum[month - 1]! + day + (leap && month > 2 ? 1 : 0);
  const weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return { year, month, day, hour, minute, second, ms: rest - second * 1000, weekday, yday };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** A UTC instant in milliseconds since the epoch; `pointer` marks a *time.Time. */
export class GoTime {
  readonly ms: number;
  readonly pointer: boolean;
  constructor(ms: number, pointer: boolean) {
    this.ms = ms;
    this.pointer = pointer;
  }

  /** Go's Time.String for a UTC time. */
  toGoString(): string {
    return this.format('2006-01-02 15:04:05.999999999 -0700 MST');
  }

  /** Go's Time.Format for the layout elements of package time, in UTC. */
  format(layout: string): string {
    const c = civil(this.ms);
    let out = '';
    let i = 0;
    const at = (s: string): boolean => layout.startsWith(s, i);
    while (i < layout.length) {
      let tok: string | undefined;
      let val = '';
      if (at('January')) { tok = 'January'; val = MONTHS[c.month - 1]!; }
      else if (at('Jan')) { tok = 'Jan'; val = MONTHS[c.month - 1]!.slice(0, 3); }
      else if (at('Monday')) { tok = 'Monday'; val = DAYS[c.weekday]!; }
      else if (at('Mon')) { tok = 'Mon'; val = DAYS[c.weekday]!.slice(0, 3); }
      else if (at('MST')) { tok = 'MST'; val = 'UTC'; }
      else if (at('2006')) { tok = '2006'; val = pad(c.year, 4); }
      else if (at('-07:00:00')) { tok = '-07:00:00'; val = '+00:00:00'; }
      else if (at('-0700')) { tok = '-0700'; val = '+0000'; }
      else if (at('-07:00')) { tok = '-07:00'; val = '+00:00'; }
      else if (at('-07')) { tok = '-07'; val = '+00'; }
      else if (at('Z07:00:00')) { tok = 'Z07:00:00'; val = 'Z'; }
      else if (at('Z0700')) { tok = 'Z0700'; val = 'Z'; }
      else if (at('Z07:00')) { tok = 'Z07:00'; val = 'Z'; }
      else if (at('Z07')) { tok = 'Z07'; val = 'Z'; }
      else if (at('002')) { tok = '002'; val = pad(c.yday, 3); }
      else if (at('01')) { tok = '01'; val = pad(c.month, 2); }
      else if (at('02')) { tok = '02'; val = pad(c.day, 2); }
      else if (at('_2')) { tok = '_2'; val = String(c.day).padStart(2, ' '); }
      else if (at('03')) { tok = '03'; val = pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2); }
      else if (at('04')) { tok = '04'; val = pad(c.minute, 2); }
      else if (at('05')) { tok = '05'; val = pad(c.second, 2); }
      else if (at('06')) { tok = '06'; val = pad(((c.year % 100) + 100) % 100, 2); }
      else if (at('15')) { tok = '15'; val = pad(c.hour, 2); }
      else if (at('PM')) { tok = 'PM'; val = c.hour >= 12 ? 'PM' : 'AM'; }
      else if (at('pm')) { tok = 'pm'; val = c.hour >= 12 ? 'pm' : 'am'; }
      else if (at('1')) { tok = '1'; val = String(c.month); }
      else if (at('2')) { tok = '2'; val = String(c.day); }
      else if (at('3')) { tok = '3'; val = String(c.hour % 12 === 0 ? 12 : c.hour % 12); }
      else if (at('4')) { tok = '4'; val = String(c.minute); }
      else if (at('5')) { tok = '5'; val = String(c.second); }
      else {
        const m = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
        if (m !== null) {
          tok = m[0];
          const n = m[1]!.length;
          const frac = (pad(c.ms, 3) + '000000').slice(0, n);
          if (m[1]![0] === '0') val = layout[i] + frac;
          else {
            const trimmed = frac.replace(/0+$/, '');
            val = trimmed.length > 0 ? layout[i] + trimmed : '';
          }
        }
      }
      if (tok === undefined) { out += layout[i]; i++; }
      else { out += val; i += tok.length; }
    }
    return out;
  }

  /** Calls a time.Time method by name; undefined when there is no such method. */
  method(name: string): (() => string | bigint | GoTime) | ((layout: string) => string) | undefined {
    const c = (): Civil => civil(this.ms);
    switch (name) {
      case 'Unix': return () => BigInt(Math.floor(this.ms / 1000));
      case 'UnixMilli': return () => BigInt(this.ms);
      case 'UnixNano': return () => BigInt(this.ms) * 1_000_000n;
      case 'UTC': return () => new GoTime(this.ms, false);
      case 'String': return () => this.toGoString();
      case 'Format': return (layout: string) => this.format(layout);
      case 'Year': return () => BigInt(c().year);
      case 'YearDay': return () => BigInt(c().yday);
      case 'Day': return () => BigInt(c().day);
      case 'Hour': return () => BigInt(c().hour);
      case 'Minute': return () => BigInt(c().minute);
      case 'Second': return () => BigInt(c().second);
      default: return undefined;
    }
  }
}
